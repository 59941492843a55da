/**
 * The server's logger: logfmt lines (logfmt.ts) to stdout through a LineBuffer, so that logging a
 * user keeps on in production (a line per call event at INFO) costs a formatted string and an array push on
 * the hot path, and stdout one write per 50 ms window (or per 512 lines), made off the event loop
 * (fd-sink.ts). A write per event-loop turn was still a write per line at a few hundred calls/s, where each
 * INVITE has a turn of its own. Lines still buffered are written when the logger's scope closes (the server's
 * shutdown), waited for up to 2 s.
 */
import { Effect, Logger } from "effect"
import { type FdSink, fdSink } from "./fd-sink.ts"
import type { LineBufferOptions, LineSink } from "./line-buffer.ts"
import { LineBuffer } from "./line-buffer.ts"
import { formatLogFmtFlat } from "./logfmt.ts"

const drained = (sink: LineSink | FdSink) =>
  "whenDrained" in sink
    ? Effect.callback<void>((resume) => sink.whenDrained(() => resume(Effect.void))).pipe(Effect.timeoutOption("2 seconds"))
    : Effect.void

export interface BufferedLoggerOptions extends LineBufferOptions {
  /** Default: stdout (fd 1). */
  readonly sink?: LineSink | FdSink
  /** Default: formatLogFmtFlat. */
  readonly format?: Logger.Logger<unknown, string>
  /** How often buffered lines are written (default 50). */
  readonly windowMs?: number
}

/** A logger writing `format`'s lines through a LineBuffer into `sink`, every window and when its scope closes. */
export const bufferedLogger = (options: BufferedLoggerOptions = {}) =>
  Effect.gen(function*() {
    const sink = options.sink ?? fdSink(1)
    const buffer = new LineBuffer(sink, options)
    const format = options.format ?? formatLogFmtFlat
    const flush = Effect.sync(() => buffer.flush())
    yield* Effect.addFinalizer(() => Effect.andThen(flush, drained(sink)))
    yield* Effect.forkScoped(Effect.forever(Effect.andThen(Effect.sleep(options.windowMs ?? 50), flush)))
    return Logger.make((entry) => {
      if (buffer.accepting()) buffer.add(format.log(entry))
    })
  })

/** Replaces Effect's default logger (a console write per line) with the buffered one on stdout. */
export const bufferedStdoutLayer = Logger.layer([bufferedLogger()])
