/**
 * Audio codec names ↔ RTP payload formats: the RFC 3551 static payload types, the usual dynamic ones,
 * and how an rtpmap (or its absence) resolves to a codec.
 */
import type { MediaDescription } from "sdp-transform"
import type { Codec } from "./negotiated.ts"

/** How a codec is written in an rtpmap: canonical spelling, clock rate, channels; `staticPt` per RFC 3551. */
export interface CodecSpec {
  readonly name: string
  readonly clockRate: number
  readonly channels?: number
  readonly staticPt?: number
}

/** RFC 3551 §6 table 4. G722 says 8000 although it samples at 16 kHz: a historical error kept by §4.5.2. */
const staticAudio: ReadonlyArray<CodecSpec> = [
  { name: "PCMU", clockRate: 8000, staticPt: 0 },
  { name: "GSM", clockRate: 8000, staticPt: 3 },
  { name: "G723", clockRate: 8000, staticPt: 4 },
  { name: "DVI4", clockRate: 8000, staticPt: 5 },
  { name: "DVI4", clockRate: 16000, staticPt: 6 },
  { name: "LPC", clockRate: 8000, staticPt: 7 },
  { name: "PCMA", clockRate: 8000, staticPt: 8 },
  { name: "G722", clockRate: 8000, staticPt: 9 },
  { name: "L16", clockRate: 44100, channels: 2, staticPt: 10 },
  { name: "L16", clockRate: 44100, staticPt: 11 },
  { name: "QCELP", clockRate: 8000, staticPt: 12 },
  { name: "CN", clockRate: 8000, staticPt: 13 },
  { name: "MPA", clockRate: 90000, staticPt: 14 },
  { name: "G728", clockRate: 8000, staticPt: 15 },
  { name: "DVI4", clockRate: 11025, staticPt: 16 },
  { name: "DVI4", clockRate: 22050, staticPt: 17 },
  { name: "G729", clockRate: 8000, staticPt: 18 }
]

/** Codecs without a static type, as softphones write them; they get a dynamic type (96-127) when we offer. */
const dynamicAudio: ReadonlyArray<CodecSpec> = [
  { name: "opus", clockRate: 48000, channels: 2 },
  { name: "telephone-event", clockRate: 8000 },
  { name: "iLBC", clockRate: 8000 },
  { name: "speex", clockRate: 8000 },
  { name: "speex", clockRate: 16000 },
  { name: "speex", clockRate: 32000 },
  { name: "AMR", clockRate: 8000 },
  { name: "AMR-WB", clockRate: 16000 },
  { name: "G726-32", clockRate: 8000 },
  { name: "G7221", clockRate: 16000 },
  { name: "SILK", clockRate: 16000 }
]

export const TELEPHONE_EVENT = "TELEPHONE-EVENT"

const channelsOf = (spec: { readonly channels?: number }): number => spec.channels ?? 1

export const sameCodec = (a: CodecSpec, b: CodecSpec): boolean =>
  a.name.toUpperCase() === b.name.toUpperCase() && a.clockRate === b.clockRate && channelsOf(a) === channelsOf(b)

/**
 * A codec name as configured ("PCMU", "g722", "opus", or "NAME/rate[/channels]" for anything else) to its
 * spec. A bare name we have no table entry for cannot be offered (no clock rate): undefined.
 */
export const codecSpec = (configured: string): CodecSpec | undefined => {
  const [rawName, rawRate, rawChannels] = configured.trim().split("/")
  const name = rawName.trim()
  if (name.length === 0) return undefined
  const rate = rawRate === undefined ? undefined : Number(rawRate)
  const channels = rawChannels === undefined ? undefined : Number(rawChannels)
  const known = [...staticAudio, ...dynamicAudio].find((spec) =>
    spec.name.toUpperCase() === name.toUpperCase() &&
    (rate === undefined || spec.clockRate === rate) &&
    (channels === undefined || channelsOf(spec) === channels)
  )
  if (known !== undefined) return known
  if (rate === undefined || !Number.isInteger(rate) || rate <= 0) return undefined
  if (channels !== undefined && (!Number.isInteger(channels) || channels <= 0)) return undefined
  return channels === undefined || channels === 1 ? { name, clockRate: rate } : { name, clockRate: rate, channels }
}

/** The codec a payload type stands for in one m= line: its rtpmap, else the static table (RFC 3551 §6). */
export const formatOf = (media: MediaDescription, payloadType: number): CodecSpec | undefined => {
  const map = (media.rtp ?? []).find((entry) => entry.payload === payloadType)
  if (map !== undefined && typeof map.codec === "string" && map.codec.length > 0) {
    const clockRate = typeof map.rate === "number" ? map.rate : staticAudio.find((s) => s.staticPt === payloadType)?.clockRate
    if (clockRate === undefined) return undefined
    const channels = typeof map.encoding === "number" && map.encoding > 1 ? map.encoding : undefined
    return channels === undefined ? { name: map.codec, clockRate } : { name: map.codec, clockRate, channels }
  }
  return staticAudio.find((spec) => spec.staticPt === payloadType)
}

/** The contract's Codec: names upper-case, channels only when more than one. */
export const toCodec = (payloadType: number, spec: CodecSpec): Codec =>
  spec.channels !== undefined && spec.channels > 1
    ? { payloadType, name: spec.name.toUpperCase(), clockRate: spec.clockRate, channels: spec.channels }
    : { payloadType, name: spec.name.toUpperCase(), clockRate: spec.clockRate }

export const isTelephoneEvent = (spec: CodecSpec): boolean => spec.name.toUpperCase() === TELEPHONE_EVENT
