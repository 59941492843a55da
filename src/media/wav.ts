/**
 * The few bytes of RIFF/WAVE we need: read an 8 kHz mono file (16-bit PCM, or G.711 with WAVE format
 * tags 6 = A-law, 7 = μ-law) into linear PCM, and write the 44-byte header of a 16-bit PCM file.
 */
import { decode } from "./g711.ts"

export const WAV_HEADER_BYTES = 44
export const SAMPLE_RATE = 8000

export interface WavError { readonly _tag: "WavError"; readonly message: string }
const wavError = (message: string): WavError => ({ _tag: "WavError", message })
export const isWavError = (x: unknown): x is WavError =>
  typeof x === "object" && x !== null && (x as { _tag?: unknown })._tag === "WavError"

const ascii = (bytes: Uint8Array, at: number): string =>
  String.fromCharCode(bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3])

/** Decode a WAV file to 16-bit linear PCM at 8 kHz, mono. Other rates/layouts are refused, not resampled. */
export const parseWav = (bytes: Uint8Array): Int16Array | WavError => {
  if (bytes.length < 12 || ascii(bytes, 0) !== "RIFF" || ascii(bytes, 8) !== "WAVE") return wavError("not a RIFF/WAVE file")
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength)
  let format: number | undefined
  let channels = 0
  let rate = 0
  let bits = 0
  let at = 12
  while (at + 8 <= bytes.length) {
    const id = ascii(bytes, at)
    const size = view.getUint32(at + 4, true)
    const body = at + 8
    if (id === "fmt " && size >= 16) {
      format = view.getUint16(body, true)
      channels = view.getUint16(body + 2, true)
      rate = view.getUint32(body + 4, true)
      bits = view.getUint16(body + 14, true)
    } else if (id === "data") {
      if (format === undefined) return wavError("data chunk before fmt chunk")
      if (channels !== 1 || rate !== SAMPLE_RATE) return wavError(`need 8000 Hz mono, got ${rate} Hz x${channels}`)
      // A header left unpatched by a crashed recorder says 0 or 0xFFFFFFFF: take what is there.
      const end = size === 0 || body + size > bytes.length ? bytes.length : body + size
      const data = bytes.subarray(body, end)
      if (format === 1 && bits === 16) {
        const pcm = new Int16Array(data.length >> 1)
        for (let i = 0; i < pcm.length; i++) pcm[i] = view.getInt16(body + 2 * i, true)
        return pcm
      }
      if (format === 7 && bits === 8) return decode("PCMU", data)
      if (format === 6 && bits === 8) return decode("PCMA", data)
      return wavError(`unsupported WAVE format ${format} with ${bits} bits`)
    }
    at = body + size + (size & 1) // chunks are padded to even length
  }
  return wavError("no data chunk")
}

/** The header of a 16-bit mono 8 kHz PCM file holding `dataBytes` bytes of samples. */
export const wavHeader = (dataBytes: number): Uint8Array => {
  const header = new Uint8Array(WAV_HEADER_BYTES)
  const view = new DataView(header.buffer)
  const put = (at: number, text: string) => {
    for (let i = 0; i < 4; i++) header[at + i] = text.charCodeAt(i)
  }
  put(0, "RIFF")
  view.setUint32(4, 36 + dataBytes, true)
  put(8, "WAVE")
  put(12, "fmt ")
  view.setUint32(16, 16, true)
  view.setUint16(20, 1, true) // PCM
  view.setUint16(22, 1, true) // mono
  view.setUint32(24, SAMPLE_RATE, true)
  view.setUint32(28, SAMPLE_RATE * 2, true) // byte rate
  view.setUint16(32, 2, true) // block align
  view.setUint16(34, 16, true)
  put(36, "data")
  view.setUint32(40, dataBytes, true)
  return header
}

/** Little-endian bytes of 16-bit samples, as a WAV data chunk stores them. */
export const pcmBytes = (pcm: Int16Array): Uint8Array => {
  const out = new Uint8Array(pcm.length * 2)
  const view = new DataView(out.buffer)
  for (let i = 0; i < pcm.length; i++) view.setInt16(2 * i, pcm[i], true)
  return out
}
