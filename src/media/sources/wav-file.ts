/**
 * Playback of a WAV file (8 kHz mono, 16-bit PCM or G.711), decoded to PCM once at load, optionally
 * looping. A file that cannot be read or is not in a format we play fails with the reason.
 */
import { readFile } from "node:fs/promises"
import { Effect } from "effect"
import { isWavError, parseWav } from "../wav.ts"
import type { PcmSource } from "./pcm-source.ts"

export class WavLoadError extends Error {
  readonly _tag = "WavLoadError"
}

export const playPcm = (pcm: Int16Array, loop: boolean): PcmSource => {
  let position = 0
  return {
    fill: (frame) => {
      let i = 0
      while (i < frame.length) {
        if (position >= pcm.length) {
          if (!loop || pcm.length === 0) {
            frame.fill(0, i)
            return false
          }
          position = 0
        }
        const n = Math.min(frame.length - i, pcm.length - position)
        frame.set(pcm.subarray(position, position + n), i)
        i += n
        position += n
      }
      return true
    }
  }
}

export const loadWavFile = (path: string, loop: boolean): Effect.Effect<PcmSource, WavLoadError> =>
  Effect.tryPromise({
    try: () => readFile(path),
    catch: (cause) => new WavLoadError(`cannot read ${path}: ${String(cause)}`)
  }).pipe(
    Effect.flatMap((bytes) => {
      const pcm = parseWav(bytes)
      return isWavError(pcm) ? Effect.fail(new WavLoadError(`${path}: ${pcm.message}`)) : Effect.succeed(playPcm(pcm, loop))
    })
  )
