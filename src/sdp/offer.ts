/**
 * Our offers (RFC 3264 §5): the initial one, the one in a 2xx to a late-offer INVITE, and re-offers for
 * hold (sendonly, §8.4) and resume (sendrecv). Each one bumps the o= version (§8).
 */
import type { MediaAttributes } from "sdp-transform"
import { write } from "sdp-transform"
import { assignPayloadTypes, TELEPHONE_EVENT_PT } from "./codecs.ts"
import type { LocalMedia } from "./local-media.ts"
import { nextVersion, sessionSkeleton } from "./local-media.ts"
import type { Direction } from "./negotiated.ts"

/** RFC 4733 §7.1.1: events 0-15 are the DTMF digits, 16 is flash; we take all of them. */
export const TELEPHONE_EVENTS = "0-16"

/** The payload types our offer uses, in the order written (codecs preferred first, telephone-event last). */
export const offeredFormats = (local: LocalMedia) => {
  const codecs = assignPayloadTypes(local.codecs, local.telephoneEvent ? [TELEPHONE_EVENT_PT] : [])
  return { codecs, telephoneEvent: local.telephoneEvent && codecs.length > 0 ? TELEPHONE_EVENT_PT : undefined }
}

/** Write an offer for `direction`, remember it (late offer: the answer arrives in the ACK), bump o=. */
export const createOffer = (local: LocalMedia, direction: Direction): string => {
  const { codecs, telephoneEvent } = offeredFormats(local)
  const rtp: MediaAttributes["rtp"] = codecs.map(({ payloadType, spec }) =>
    spec.channels === undefined
      ? { payload: payloadType, codec: spec.name, rate: spec.clockRate }
      : { payload: payloadType, codec: spec.name, rate: spec.clockRate, encoding: spec.channels }
  )
  const fmtp: MediaAttributes["fmtp"] = []
  if (telephoneEvent !== undefined) {
    rtp.push({ payload: telephoneEvent, codec: "telephone-event", rate: 8000 })
    fmtp.push({ payload: telephoneEvent, config: TELEPHONE_EVENTS })
  }
  const sdp = write({
    ...sessionSkeleton(local, nextVersion(local)),
    media: [{
      type: "audio",
      port: local.port,
      protocol: "RTP/AVP",
      payloads: rtp.map((entry) => entry.payload).join(" "),
      rtp,
      fmtp,
      ptime: local.ptime,
      direction,
      ...(local.rtcpMux ? { rtcpMux: "rtcp-mux" as const } : {})
    }]
  })
  local.direction = direction
  local.lastOffer = sdp
  return sdp
}
