/**
 * The shared core of answering and of reading an answer: which remote m= line carries our audio, which
 * codecs both sides have (with the remote side's payload type numbers), and the NegotiatedMedia result.
 */
import type { CodecSpec } from "./codecs.ts"
import { isSecureProfile, type SrtpKeys, usableCrypto } from "./crypto.ts"
import { formatOf, isTelephoneEvent, sameCodec, toCodec } from "./codecs.ts"
import type { RemoteMedia } from "./description.ts"
import type { LocalMedia } from "./local-media.ts"
import type { Direction, NegotiatedMedia } from "./negotiated.ts"

/** Plain RTP profiles we can speak. AVPF (RFC 4585) is AVP plus optional feedback, so it interoperates;
 *  SAVP/SAVPF are ours when an a=crypto line carries a key we can use (crypto.ts); DTLS-SRTP is not. */
const RTP_PROFILES = new Set(["RTP/AVP", "RTP/AVPF"])

/** Can this m= line be our audio stream? (Whether a codec fits is asked separately.) */
export const isUsableAudio = (media: RemoteMedia): boolean =>
  media.type === "audio" && media.port !== 0 &&
  (RTP_PROFILES.has(media.protocol.toUpperCase()) ||
    (isSecureProfile(media.protocol) && usableCrypto(media.raw.crypto) !== undefined))

export interface Format {
  readonly payloadType: number
  readonly spec: CodecSpec
}

export interface CommonFormats {
  /** Codecs both sides have, with the remote description's payload types, in the winning order. */
  readonly codecs: ReadonlyArray<Format>
  readonly telephoneEvent: Format | undefined
}

/**
 * Codecs in common with one remote m= line. `order` says whose preference wins:
 * - "local" when we answer: the application configured its codec list preferred first, which is the
 *   "specific reason" RFC 3264 §6.1 allows for not keeping the offer's order; the offerer still learns
 *   our choice since we send with the first codec of our answer.
 * - "remote" when we read an answer: the answerer's order is the one both sides then follow (§6.1, §7).
 * Either way the payload types are the remote description's numbers (§6.1: the answer reuses the
 * offer's numbers; a sender uses the numbers of the description it received, §5.1).
 */
export const commonFormats = (local: LocalMedia, media: RemoteMedia, order: "local" | "remote"): CommonFormats => {
  const remote: Array<Format> = []
  for (const payloadType of media.payloadTypes) {
    const spec = formatOf(media.raw, payloadType)
    if (spec !== undefined && !remote.some((f) => f.payloadType === payloadType)) remote.push({ payloadType, spec })
  }
  const ours = (format: Format) => !isTelephoneEvent(format.spec) && local.codecs.some((spec) => sameCodec(spec, format.spec))
  const codecs = order === "remote"
    ? remote.filter(ours)
    : local.codecs.flatMap((spec) => {
      const match = remote.find((format) => !isTelephoneEvent(format.spec) && sameCodec(spec, format.spec))
      return match === undefined ? [] : [match]
    })
  const events = local.telephoneEvent ? remote.filter((format) => isTelephoneEvent(format.spec)) : []
  // RFC 4733 §2.1: the event clock should match the audio codec's; several rates are offered by WebRTC peers.
  const rate = codecs[0]?.spec.clockRate
  const telephoneEvent = codecs.length === 0 ? undefined : events.find((f) => f.spec.clockRate === rate) ?? events[0]
  return { codecs, telephoneEvent }
}

export interface Outcome {
  readonly direction: Direction
  readonly remoteHold: boolean
  readonly rtcpMux: boolean
  /** a=ptime of the remote description (its receive preference, RFC 4566 §6), else ours. */
  readonly ptime: number
  readonly srtp?: SrtpKeys | undefined
}

/** The contract's result from the chosen remote m= line and the negotiated outcome. */
export const negotiatedMedia = (media: RemoteMedia, common: CommonFormats, outcome: Outcome): NegotiatedMedia => {
  const port = media.port
  // RFC 5761 §5.1.3: with rtcp-mux RTCP shares the RTP port; else a=rtcp (RFC 3605), else port + 1.
  const remoteRtcpPort = outcome.rtcpMux ? port : media.rtcpPort ?? port + 1
  const codecs = common.codecs.map((f) => toCodec(f.payloadType, f.spec))
  const base = {
    remoteAddress: media.address ?? "0.0.0.0",
    remotePort: port,
    remoteRtcpPort,
    rtcpMux: outcome.rtcpMux,
    codec: codecs[0],
    codecs,
    ptime: outcome.ptime,
    direction: outcome.direction,
    remoteHold: outcome.remoteHold,
    ...(outcome.srtp === undefined ? {} : { srtp: outcome.srtp })
  }
  return common.telephoneEvent === undefined
    ? base
    : { ...base, telephoneEvent: { payloadType: common.telephoneEvent.payloadType, clockRate: common.telephoneEvent.spec.clockRate } }
}
