/**
 * Log lines on their way out: appended to a buffer and written as one chunk when its owner flushes it (every
 * 50 ms, stdout-logger.ts) or when `maxBatch` lines wait, never one write per line on the hot path. When the
 * output does not keep up (more than `maxPendingBytes` still unwritten), new lines are dropped and counted,
 * and the count goes out with the next chunk that is written. Why: docs/performance.md, "Logging".
 */

/** Where the chunks go: a stream's write and how many bytes it still holds. */
export interface LineSink {
  readonly write: (chunk: string) => void
  readonly pendingBytes: () => number
}

export interface LineBufferOptions {
  /** Lines written at once when that many wait (default 512). */
  readonly maxBatch?: number
  /** Unwritten bytes in the sink past which lines are dropped (default 4 MiB). */
  readonly maxPendingBytes?: number
}

export class LineBuffer {
  private lines: Array<string> = []
  private droppedSinceWrite = 0
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

  /** Appends a line (no newline). */
  add(line: string): void {
    this.lines.push(line)
    if (this.lines.length >= this.maxBatch) this.flush()
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
