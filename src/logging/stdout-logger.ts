/**
 * The server's logger: logfmt lines (logfmt.ts) to stdout through a LineBuffer, so that logging a
 * user keeps on in production (a line per call event at INFO) costs a formatted string and an array push on
 * the hot path, and stdout one write per event-loop turn. Lines still buffered are written when the
 * logger's scope closes (the server's shutdown).
 */
import { Effect, Logger } from "effect"
import type { LineBufferOptions, LineSink } from "./line-buffer.ts"
import { LineBuffer } from "./line-buffer.ts"
import { formatLogFmtFlat } from "./logfmt.ts"

const stdout: LineSink = {
  write: (chunk) => {
    process.stdout.write(chunk)
  },
  pendingBytes: () => process.stdout.writableLength
}

/** A logger writing `format`'s lines through a LineBuffer into `sink`; flushed when its scope closes. */
export const bufferedLogger = (
  options: LineBufferOptions & { readonly sink?: LineSink; readonly format?: Logger.Logger<unknown, string> } = {}
) =>
  Effect.gen(function*() {
    const buffer = new LineBuffer(options.sink ?? stdout, options)
    const format = options.format ?? formatLogFmtFlat
    yield* Effect.addFinalizer(() => Effect.sync(() => buffer.flush()))
    return Logger.make((entry) => {
      if (buffer.accepting()) buffer.add(format.log(entry), entry.fiber.currentDispatcher)
    })
  })

/** Replaces Effect's default logger (a console write per line) with the buffered one on stdout. */
export const bufferedStdoutLayer = Logger.layer([bufferedLogger()])
