/**
 * A LineSink on a file descriptor (stdout: 1) whose writes never block the event loop: one `fs.write` at a
 * time runs on libuv's thread pool, chunks offered meanwhile wait joined in memory, and `pendingBytes` is
 * what is not written yet, so the LineBuffer drops lines once a stalled reader (a full pipe) lets too
 * much pile up. process.stdout would write a pipe or a file synchronously on Linux: a log reader that
 * stops reading would stop the server.
 */
import * as Fs from "node:fs"
import type { LineSink } from "./line-buffer.ts"

export interface FdSink extends LineSink {
  /** Calls back once nothing is pending (at once when nothing is); a pipe that stays full never calls back. */
  readonly whenDrained: (done: () => void) => void
}

export const fdSink = (fd: number): FdSink => {
  let waiting: Array<string> = []
  // What a non-blocking fd refused (EAGAIN): written first, when the next chunk comes (no timer, no spinning).
  let refused: Buffer | undefined
  let pending = 0
  let writing = false
  let drained: Array<() => void> = []

  const next = (): void => {
    if (waiting.length === 0 && refused === undefined) {
      writing = false
      const callbacks = drained
      drained = []
      for (const done of callbacks) done()
      return
    }
    writing = true
    const text = Buffer.from(waiting.length === 1 ? waiting[0]! : waiting.join(""), "utf8")
    const bytes = refused === undefined ? text : Buffer.concat([refused, text])
    waiting = []
    refused = undefined
    let offset = 0
    const written = (error: NodeJS.ErrnoException | null, count: number): void => {
      if (error?.code === "EAGAIN") {
        refused = bytes.subarray(offset)
        writing = false
        return
      }
      if (error !== null) {
        // The reader is gone (EPIPE) or the fd is unusable: these lines are lost, later ones still try.
        pending -= bytes.length - offset
        return next()
      }
      offset += count
      if (offset < bytes.length) return void Fs.write(fd, bytes, offset, bytes.length - offset, null, written)
      pending -= bytes.length
      next()
    }
    Fs.write(fd, bytes, 0, bytes.length, null, written)
  }

  return {
    write: (chunk) => {
      pending += Buffer.byteLength(chunk, "utf8")
      waiting.push(chunk)
      if (!writing) next()
    },
    pendingBytes: () => pending,
    whenDrained: (done) => {
      if (!writing && refused === undefined) return done()
      drained.push(done)
      if (!writing) next() // what a full pipe refused gets one more try
    }
  }
}
