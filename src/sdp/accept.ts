/**
 * Reading the answer to our offer (RFC 3264 §7): in a 18x/2xx to our INVITE, in the 2xx to a re-INVITE,
 * or in the ACK after a late-offer INVITE (RFC 3261 §13.2.1, our offer went in the 2xx).
 */
import type { RemoteDescription } from "./description.ts"
import { isNullAddress, parseDescription } from "./description.ts"
import { effectiveRemote, ourDirection, receives, sends } from "./direction.ts"
import { isSecureProfile, SRTP_SUITE, usableCrypto } from "./crypto.ts"
import type { LocalMedia } from "./local-media.ts"
import { commonFormats, negotiatedMedia } from "./negotiate.ts"
import type { NegotiatedMedia } from "./negotiated.ts"
import type { SdpError } from "./sdp-error.ts"
import { isSdpError, sdpError } from "./sdp-error.ts"

export interface Negotiated {
  readonly _tag: "Negotiated"
  readonly negotiated: NegotiatedMedia
}

const bad = (message: string): SdpError => sdpError("BadAnswer", message)

/**
 * `offer` is the offer this answers (ours); undefined means our last one, kept in `local` (the late-offer
 * ACK case). The codec we send with is the first of the answer's list that we offered (§7).
 */
export const readAnswer = (local: LocalMedia, offer: string | undefined, answer: string): Negotiated | SdpError => {
  const offerText = offer ?? local.lastOffer
  if (offerText === undefined) return bad("an answer arrived but we made no offer")
  const ours: RemoteDescription | SdpError = parseDescription(offerText)
  if (isSdpError(ours)) return bad(`our own offer does not parse: ${ours.message}`)
  const theirs = parseDescription(answer)
  if (isSdpError(theirs)) return theirs
  // §6: "The answer MUST contain exactly the same number of m= lines as the offer."
  if (theirs.media.length !== ours.media.length) {
    return bad(`the answer has ${theirs.media.length} m= lines, our offer ${ours.media.length}`)
  }
  const index = ours.media.findIndex((m) => m.type === "audio" && m.port !== 0)
  if (index < 0) return bad("our offer has no active audio stream")
  const offered = ours.media[index]
  const media = theirs.media[index]
  if (media.type !== "audio") return bad(`m= line ${index + 1} is ${media.type} in the answer, audio in the offer`)
  if (media.port === 0) return bad("the answerer refused our audio stream (port 0)")
  const common = commonFormats(local, media, "remote")
  if (common.codecs.length === 0) return bad(`the answer lists no codec we offered: ${media.payloads}`)
  // RFC 4568 §7.1.3: an answer to our RTP/SAVP offer carries the answerer's key, else the stream is unusable.
  const secure = isSecureProfile(offered.protocol)
  const key = secure ? usableCrypto(media.raw.crypto) : undefined
  if (secure && (key === undefined || local.srtpKey === undefined)) return bad("the answer to our RTP/SAVP offer has no usable a=crypto")
  const answered = effectiveRemote(media.direction, isNullAddress(media.address))
  // RFC 5761 §5.1.3: rtcp-mux stays in our re-offers only if this exchange settled it.
  local.rtcpMux = offered.rtcpMux && media.rtcpMux
  return {
    _tag: "Negotiated",
    negotiated: negotiatedMedia(media, common, {
      direction: ourDirection(answered, offered.direction),
      // The peer will not receive what we offered to send: it holds us (or was holding already).
      remoteHold: sends(offered.direction) && !receives(answered),
      rtcpMux: offered.rtcpMux && media.rtcpMux,
      ptime: media.ptime ?? local.ptime,
      srtp: key === undefined ? undefined : { suite: SRTP_SUITE, local: local.srtpKey!, remote: key.key }
    })
  }
}
