/**
 * The server's logger: logfmt lines (logfmt.ts) to stdout through a LineBuffer, so that logging a
 * user keeps on in production (a line per call event at INFO) costs a formatted string and an array push on
 * the hot path, and stdout one write per event-loop turn, made off the event loop (fd-sink.ts). Lines still
 * buffered are written when the logger's scope closes (the server's shutdown), waited for up to 2 s.
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

/** A logger writing `format`'s lines through a LineBuffer into `sink` (default: stdout, fd 1); flushed when its
 *  scope closes. */
export const bufferedLogger = (
  options: LineBufferOptions & { readonly sink?: LineSink | FdSink; readonly format?: Logger.Logger<unknown, string> } = {}
) =>
  Effect.gen(function*() {
    const sink = options.sink ?? fdSink(1)
    const buffer = new LineBuffer(sink, options)
    const format = options.format ?? formatLogFmtFlat
    yield* Effect.addFinalizer(() => Effect.andThen(Effect.sync(() => buffer.flush()), drained(sink)))
    return Logger.make((entry) => {
      if (buffer.accepting()) buffer.add(format.log(entry), entry.fiber.currentDispatcher)
    })
  })

/** Replaces Effect's default logger (a console write per line) with the buffered one on stdout. */
export const bufferedStdoutLayer = Logger.layer([bufferedLogger()])
