/**
 * Answering a remote offer (RFC 3264 §6): one m= line in the answer per m= line in the offer, in the same
 * order; the first RTP audio stream with a codec in common (RTP/SAVP too, when its a=crypto has a key we
 * can use: we answer with our own key, RFC 4568) is accepted on our port, every other stream (video, data,
 * DTLS-SRTP, a second audio) is refused with port 0. Nothing usable → NoCommonCodec (488).
 */
import type { MediaDescription } from "sdp-transform"
import { cryptoLine, isSecureProfile, newMasterKey, policyAllows, SRTP_SUITE, usableCrypto } from "./crypto.ts"
import { writeDescription } from "./write.ts"
import type { RemoteDescription, RemoteMedia } from "./description.ts"
import { isNullAddress, parseDescription } from "./description.ts"
import { effectiveRemote, ourDirection, receives } from "./direction.ts"
import type { LocalMedia, MediaSlot } from "./local-media.ts"
import { nextVersion, sessionSkeleton } from "./local-media.ts"
import type { CommonFormats, Format } from "./negotiate.ts"
import { commonFormats, isUsableAudio, negotiatedMedia } from "./negotiate.ts"
import type { Direction, NegotiatedMedia } from "./negotiated.ts"
import { bind } from "./payload-types.ts"
import type { SdpError } from "./sdp-error.ts"
import { isSdpError, sdpError } from "./sdp-error.ts"

export interface Answered {
  readonly _tag: "Answered"
  readonly sdp: string
  readonly negotiated: NegotiatedMedia
}

/** §6: a refused stream keeps its type, protocol and formats (SDP needs at least one) with port 0. */
const refused = (media: RemoteMedia): MediaDescription => ({
  type: media.type,
  port: 0,
  protocol: media.protocol,
  payloads: media.payloads.trim().length > 0 ? media.payloads : "0",
  rtp: [],
  fmtp: []
})

const accepted = (
  local: LocalMedia,
  media: RemoteMedia,
  common: CommonFormats,
  direction: Direction,
  ptime: number,
  crypto: MediaDescription["crypto"]
): MediaDescription => {
  const formats: Array<Format> = [...common.codecs, ...(common.telephoneEvent === undefined ? [] : [common.telephoneEvent])]
  const payloads = new Set(formats.map((f) => f.payloadType))
  return {
    type: media.type,
    port: local.port,
    protocol: media.protocol,
    payloads: formats.map((f) => f.payloadType).join(" "),
    rtp: formats.map(({ payloadType, spec }) =>
      spec.channels === undefined
        ? { payload: payloadType, codec: spec.name, rate: spec.clockRate }
        : { payload: payloadType, codec: spec.name, rate: spec.clockRate, encoding: spec.channels }
    ),
    // The offerer's format parameters for what we keep (telephone-event's event list, iLBC mode, …).
    fmtp: (media.raw.fmtp ?? []).filter((f) => payloads.has(f.payload)).map((f) => ({ payload: f.payload, config: f.config })),
    ptime,
    direction,
    // RFC 5761 §5.1.1: accepting an offered rtcp-mux is saying it back.
    ...(media.rtcpMux ? { rtcpMux: "rtcp-mux" as const } : {}),
    ...(crypto === undefined ? {} : { crypto })
  }
}

const srtpNote = (local: LocalMedia): string =>
  local.srtpPolicy === "required" ? " over SRTP only" : local.srtpPolicy === "off" ? " over plain RTP only" : ""

const offeredNames = (media: ReadonlyArray<RemoteMedia>): string =>
  media.filter((m) => m.type === "audio").map((m) => `${m.protocol} ${m.payloads}`).join("; ") || "no audio"

/**
 * Answer `offer` from `local`: the SDP to send and what was negotiated, or why not. The o= version is
 * bumped only when an answer is written. Our direction is what the offer allows, limited by the direction
 * we last offered, so a peer's re-offer of sendrecv does not take a call off our hold.
 */
export const createAnswer = (local: LocalMedia, offer: string | RemoteDescription): Answered | SdpError => {
  const description = typeof offer === "string" ? parseDescription(offer) : offer
  if (isSdpError(description)) return description
  let chosen: { readonly media: RemoteMedia; readonly common: CommonFormats } | undefined
  for (const media of description.media) {
    if (!isUsableAudio(media) || !policyAllows(local.srtpPolicy, media.protocol)) continue
    const common = commonFormats(local, media, "local")
    if (common.codecs.length > 0) {
      chosen = { media, common }
      break
    }
  }
  if (chosen === undefined) {
    const ours = local.codecs.map((c) => c.name).join(" ")
    return sdpError("NoCommonCodec", `no RTP audio stream with a codec in common: offered ${offeredNames(description.media)}, we take ${ours}${srtpNote(local)}`)
  }
  const { media, common } = chosen
  const offered = effectiveRemote(media.direction, isNullAddress(media.address))
  const direction = ourDirection(offered, local.direction)
  const ptime = media.ptime ?? local.ptime
  // isUsableAudio let a secure stream through only with a key we can use.
  const theirs = isSecureProfile(media.protocol) ? usableCrypto(media.raw.crypto) : undefined
  if (theirs !== undefined) local.srtpKey ??= newMasterKey()
  const srtp = theirs === undefined ? undefined : { suite: SRTP_SUITE, local: local.srtpKey!, remote: theirs.key }
  const negotiated = negotiatedMedia(media, common, {
    direction,
    remoteHold: !receives(offered),
    rtcpMux: media.rtcpMux,
    ptime,
    srtp
  })
  const crypto = theirs === undefined ? undefined : cryptoLine(theirs.tag, local.srtpKey!)
  const sdp = writeDescription({
    ...sessionSkeleton(local, nextVersion(local)),
    media: description.media.map((m) => (m === media ? accepted(local, m, common, direction, ptime, crypto) : refused(m)))
  })
  // What our later re-offers must keep: these m= lines, these payload numbers, rtcp-mux (§8, RFC 5761).
  local.layout = description.media.map((m): MediaSlot =>
    m === media ? { kind: "audio", protocol: m.protocol } : { kind: "refused", type: m.type, protocol: m.protocol, payloads: refused(m).payloads ?? "0" }
  )
  local.bindings = bind(local.bindings, [...common.codecs, ...(common.telephoneEvent === undefined ? [] : [common.telephoneEvent])])
  local.rtcpMux = media.rtcpMux
  return { _tag: "Answered", sdp, negotiated }
}
