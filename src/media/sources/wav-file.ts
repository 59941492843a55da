/**
 * Playback of a WAV file (8 kHz mono, 16-bit PCM or G.711), decoded to PCM once and shared by every
 * call that plays it (a server playing one prompt to 1,000 calls holds it once), optionally looping.
 * A file that cannot be read or is not in a format we play fails with the reason.
 */
import { readFile, stat } from "node:fs/promises"
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

/** Decoded files by path, checked against size and mtime so an edited file is read again. */
const cache = new Map<string, { readonly size: number; readonly mtimeMs: number; readonly pcm: Int16Array }>()
const CACHE_ENTRIES = 32

const decodeFile = async (path: string): Promise<Int16Array> => {
  const info = await stat(path)
  const hit = cache.get(path)
  if (hit !== undefined && hit.size === info.size && hit.mtimeMs === info.mtimeMs) return hit.pcm
  const pcm = parseWav(await readFile(path))
  if (isWavError(pcm)) throw new WavLoadError(`${path}: ${pcm.message}`)
  if (cache.size >= CACHE_ENTRIES) cache.delete(cache.keys().next().value as string)
  cache.set(path, { size: info.size, mtimeMs: info.mtimeMs, pcm })
  return pcm
}

export const loadWavFile = (path: string, loop: boolean): Effect.Effect<PcmSource, WavLoadError> =>
  Effect.tryPromise({
    try: () => decodeFile(path),
    catch: (cause) => cause instanceof WavLoadError ? cause : new WavLoadError(`cannot read ${path}: ${String(cause)}`)
  }).pipe(Effect.map((pcm) => playPcm(pcm, loop)))
