/**
 * G.711 μ-law and A-law (ITU-T G.711; RTP payload types 0 and 8, RFC 3551 §4.5.14): 16-bit linear PCM
 * ↔ 8-bit companded samples. Both directions are table lookups, built once at load, because they run
 * for every sample of every packet.
 */

const ULAW_BIAS = 0x84
const ULAW_CLIP = 32635

const ulawFromLinear = (sample: number): number => {
  let pcm = sample
  const sign = (pcm >> 8) & 0x80
  if (sign !== 0) pcm = -pcm
  if (pcm > ULAW_CLIP) pcm = ULAW_CLIP
  pcm += ULAW_BIAS
  let exponent = 7
  for (let mask = 0x4000; (pcm & mask) === 0 && exponent > 0; mask >>= 1) exponent--
  const mantissa = (pcm >> (exponent + 3)) & 0x0f
  return ~(sign | (exponent << 4) | mantissa) & 0xff
}

const linearFromUlaw = (byte: number): number => {
  const u = ~byte & 0xff
  const t = (((u & 0x0f) << 3) + ULAW_BIAS) << ((u & 0x70) >> 4)
  return (u & 0x80) !== 0 ? ULAW_BIAS - t : t - ULAW_BIAS
}

const ALAW_SEGMENT_ENDS = [0x1f, 0x3f, 0x7f, 0xff, 0x1ff, 0x3ff, 0x7ff, 0xfff]

const alawFromLinear = (sample: number): number => {
  let pcm = sample >> 3
  let mask: number
  if (pcm >= 0) {
    mask = 0xd5
  } else {
    mask = 0x55
    pcm = -pcm - 1
  }
  let segment = 0
  while (segment < 8 && pcm > ALAW_SEGMENT_ENDS[segment]) segment++
  if (segment >= 8) return 0x7f ^ mask
  const mantissa = segment < 2 ? (pcm >> 1) & 0x0f : (pcm >> segment) & 0x0f
  return ((segment << 4) | mantissa) ^ mask
}

const linearFromAlaw = (byte: number): number => {
  const a = byte ^ 0x55
  let t = (a & 0x0f) << 4
  const segment = (a & 0x70) >> 4
  if (segment === 0) t += 8
  else if (segment === 1) t += 0x108
  else t = (t + 0x108) << (segment - 1)
  return (a & 0x80) !== 0 ? t : -t
}

const buildEncodeTable = (f: (sample: number) => number): Uint8Array => {
  const table = new Uint8Array(65536)
  for (let i = 0; i < 65536; i++) table[i] = f(i - 32768)
  return table
}

const buildDecodeTable = (f: (byte: number) => number): Int16Array => {
  const table = new Int16Array(256)
  for (let i = 0; i < 256; i++) table[i] = f(i)
  return table
}

/** Index: sample + 32768. */
const ULAW_ENCODE = buildEncodeTable(ulawFromLinear)
const ALAW_ENCODE = buildEncodeTable(alawFromLinear)
const ULAW_DECODE = buildDecodeTable(linearFromUlaw)
const ALAW_DECODE = buildDecodeTable(linearFromAlaw)

export type G711Law = "PCMU" | "PCMA"

/** The codecs the media engine encodes and decodes (tone, file, silence, recording): the only ones we offer or
 *  accept. G.722 is not among them (no encoder): answering it would leave a caller with no audio. */
export const speakableCodecs: ReadonlyArray<G711Law> = ["PCMU", "PCMA"]

/** The codec name of a negotiated codec, when we can encode it ourselves. */
export const g711Law = (name: string): G711Law | undefined =>
  name === "PCMU" ? "PCMU" : name === "PCMA" ? "PCMA" : undefined

/** The byte that decodes to 0: what silence looks like on the wire. */
export const silenceByte = (law: G711Law): number => (law === "PCMU" ? 0xff : 0xd5)

/** Encode `pcm[offset .. offset+out.length)` into `out`. */
export const encode = (law: G711Law, pcm: Int16Array, out: Uint8Array, offset = 0): Uint8Array => {
  const table = law === "PCMU" ? ULAW_ENCODE : ALAW_ENCODE
  for (let i = 0; i < out.length; i++) out[i] = table[pcm[offset + i] + 32768]
  return out
}

/** Decode `bytes` into `out` (at least as long as `bytes`). */
export const decode = (law: G711Law, bytes: Uint8Array, out: Int16Array = new Int16Array(bytes.length)): Int16Array => {
  const table = law === "PCMU" ? ULAW_DECODE : ALAW_DECODE
  for (let i = 0; i < bytes.length; i++) out[i] = table[bytes[i]]
  return out
}

/** One sample each way, for tests and odd callers. */
export const encodeSample = (law: G711Law, sample: number): number =>
  (law === "PCMU" ? ULAW_ENCODE : ALAW_ENCODE)[(sample | 0) + 32768]
export const decodeSample = (law: G711Law, byte: number): number =>
  (law === "PCMU" ? ULAW_DECODE : ALAW_DECODE)[byte & 0xff]
