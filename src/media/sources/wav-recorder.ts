/**
 * Recording to a 16-bit PCM WAV file. Samples are buffered in memory and appended in batches (no file
 * write per packet); on close the remaining samples are written and the RIFF and data sizes in the
 * header are patched, so the file is valid whenever the session ends.
 */
import { open } from "node:fs/promises"
import { Effect } from "effect"
import { WAV_HEADER_BYTES, wavHeader } from "../wav.ts"

export interface WavRecorder {
  /** Append samples (copied). Synchronous: it only buffers. */
  readonly push: (pcm: Int16Array) => void
  /** Write what is buffered. */
  readonly flush: Effect.Effect<void>
  /** Flush, patch the header, close the file. */
  readonly close: Effect.Effect<void>
}

export const openWavRecorder = (path: string): Effect.Effect<WavRecorder, Error> =>
  Effect.tryPromise({
    try: async () => {
      const handle = await open(path, "w")
      await handle.write(wavHeader(0), 0, WAV_HEADER_BYTES, 0)
      return handle
    },
    catch: (cause) => new Error(`cannot record to ${path}: ${String(cause)}`)
  }).pipe(Effect.map((handle) => {
    let pending: Array<Uint8Array> = []
    let pendingBytes = 0
    let written = 0
    let closed = false
    const writePending = async () => {
      if (pendingBytes === 0) return
      const chunk = Buffer.concat(pending, pendingBytes)
      pending = []
      pendingBytes = 0
      // Claim the file region before awaiting: a flush and the close may overlap.
      const at = WAV_HEADER_BYTES + written
      written += chunk.length
      await handle.write(chunk, 0, chunk.length, at)
    }
    const flush = Effect.tryPromise(() => (closed ? Promise.resolve() : writePending())).pipe(Effect.ignore)
    const close = Effect.tryPromise(async () => {
      if (closed) return
      closed = true
      await writePending()
      await handle.write(wavHeader(written), 0, WAV_HEADER_BYTES, 0)
      await handle.close()
    }).pipe(Effect.ignore)
    const push = (pcm: Int16Array) => {
      if (closed) return
      // WAV is little-endian; so is every platform Node runs on, so the samples' bytes go as they are.
      const bytes = new Uint8Array(pcm.length * 2)
      new Int16Array(bytes.buffer).set(pcm)
      pending.push(bytes)
      pendingBytes += bytes.length
    }
    return { push, flush, close }
  }))
