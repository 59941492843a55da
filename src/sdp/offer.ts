/**
 * Our offers (RFC 3264 §5): the initial one, the one in a 2xx to a late-offer INVITE, and re-offers for
 * hold (sendonly, §8.4) and resume (sendrecv). A re-offer keeps the session's m= lines in place and its
 * payload numbers (§8), and each offer bumps the o= version.
 */
import type { MediaAttributes, MediaDescription } from "sdp-transform"
import { cryptoLine, isSecureProfile } from "./crypto.ts"
import { writeDescription } from "./write.ts"
import type { LocalMedia, MediaSlot } from "./local-media.ts"
import { nextVersion, sessionSkeleton } from "./local-media.ts"
import type { Direction } from "./negotiated.ts"
import type { OfferFormats } from "./payload-types.ts"
import { bind, offerFormats } from "./payload-types.ts"

/** RFC 4733 §7.1.1: events 0-15 are the DTMF digits, 16 is flash; we take all of them. */
export const TELEPHONE_EVENTS = "0-16"

const audioLine = (local: LocalMedia, protocol: string, formats: OfferFormats, direction: Direction): MediaDescription => {
  const all = [...formats.codecs, ...formats.events]
  const rtp: MediaAttributes["rtp"] = all.map(({ payloadType, spec }) =>
    spec.channels === undefined
      ? { payload: payloadType, codec: spec.name, rate: spec.clockRate }
      : { payload: payloadType, codec: spec.name, rate: spec.clockRate, encoding: spec.channels }
  )
  return {
    type: "audio",
    port: local.port,
    protocol,
    payloads: all.map((b) => b.payloadType).join(" "),
    rtp,
    fmtp: formats.events.map((b) => ({ payload: b.payloadType, config: TELEPHONE_EVENTS })),
    ptime: local.ptime,
    direction,
    ...(local.rtcpMux ? { rtcpMux: "rtcp-mux" as const } : {}),
    // RFC 4568: an RTP/SAVP stream (offered by us, or accepted from the peer) keeps its key in re-offers.
    ...(isSecureProfile(protocol) && local.srtpKey !== undefined ? { crypto: cryptoLine(1, local.srtpKey) } : {})
  }
}

/** §8.2: a refused stream stays in the offer, still with port 0. */
const refusedLine = (slot: Extract<MediaSlot, { kind: "refused" }>): MediaDescription =>
  ({ type: slot.type, port: 0, protocol: slot.protocol, payloads: slot.payloads, rtp: [], fmtp: [] })

/** Write an offer for `direction`, remember it (late offer: the answer arrives in the ACK), bump o=. */
export const createOffer = (local: LocalMedia, direction: Direction): string => {
  const formats = offerFormats(local.codecs, local.bindings, local.telephoneEvent)
  const sdp = writeDescription({
    ...sessionSkeleton(local, nextVersion(local)),
    media: local.layout.map((slot) =>
      slot.kind === "audio" ? audioLine(local, slot.protocol, formats, direction) : refusedLine(slot)
    )
  })
  local.bindings = bind(local.bindings, [...formats.codecs, ...formats.events])
  local.direction = direction
  local.lastOffer = sdp
  return sdp
}
