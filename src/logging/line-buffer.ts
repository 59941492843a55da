/**
 * Log lines on their way out: appended to a buffer and written as one chunk per event-loop turn (or per
 * `maxBatch` lines), never one write per line on the hot path. When the output does not keep up (more than
 * `maxPendingBytes` still unwritten), new lines are dropped and counted, and the count goes out with the next
 * chunk that is written. Why: docs/performance.md, "Logging".
 */
import type { SchedulerDispatcher } from "effect/Scheduler"

/** Where the chunks go: a stream's write and how many bytes it still holds. */
export interface LineSink {
  readonly write: (chunk: string) => void
  readonly pendingBytes: () => number
}

export interface LineBufferOptions {
  /** Lines written at once when a turn logs that many (default 512). */
  readonly maxBatch?: number
  /** Unwritten bytes in the sink past which lines are dropped (default 4 MiB). */
  readonly maxPendingBytes?: number
}

/** The flush runs after the turn's other work: calls and their teardowns (priorities 0 and 1) first. */
const FLUSH_PRIORITY = 16

export class LineBuffer {
  private lines: Array<string> = []
  private droppedSinceWrite = 0
  private scheduled = false
  private readonly maxBatch: number
  private readonly maxPendingBytes: number
  /** Lines dropped since the buffer was made. */
  dropped = 0

  private readonly sink: LineSink

  constructor(sink: LineSink, options: LineBufferOptions = {}) {
    this.sink = sink
    this.maxBatch = options.maxBatch ?? 512
    this.maxPendingBytes = options.maxPendingBytes ?? 4 * 1024 * 1024
  }

  /** Whether a line offered now would be kept: the caller may skip formatting one that would not. */
  accepting(): boolean {
    if (this.sink.pendingBytes() <= this.maxPendingBytes) return true
    this.dropped++
    this.droppedSinceWrite++
    return false
  }

  /** Appends a line (no newline); the flush is scheduled on the caller's dispatcher, once per turn. */
  add(line: string, dispatcher: SchedulerDispatcher): void {
    this.lines.push(line)
    if (this.lines.length >= this.maxBatch) this.flush()
    else if (!this.scheduled) {
      this.scheduled = true
      dispatcher.scheduleTask(this.flushScheduled, FLUSH_PRIORITY)
    }
  }

  private readonly flushScheduled = (): void => {
    this.scheduled = false
    this.flush()
  }

  /** Writes what is buffered now, with the count of lines dropped since the last write. */
  flush(): void {
    if (this.lines.length === 0 && this.droppedSinceWrite === 0) return
    let chunk = this.lines.length > 0 ? this.lines.join("\n") + "\n" : ""
    this.lines = []
    if (this.droppedSinceWrite > 0) {
      chunk += `level=WARN message="logger: ${this.droppedSinceWrite} lines dropped (output not keeping up)"\n`
      this.droppedSinceWrite = 0
    }
    this.sink.write(chunk)
  }
}
