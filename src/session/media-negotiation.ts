/**
 * The session layer's bridge to src/sdp: the offer/answer steps a call goes through, as the coordinator
 * needs them (SDP text in and out, results it can branch on). The logic lives in src/sdp.
 */
import type { Body } from "../dialog/dialog-layer.ts"
import type { LocalMedia } from "../sdp/index.ts"
import type { RemoteDescription } from "../sdp/index.ts"
import { createAnswer, createOffer, isSdpError, parseDescription, readAnswer, sdpBytes } from "../sdp/index.ts"
import type { Direction, NegotiatedMedia } from "../sdp/negotiated.ts"
import type { SdpProblem } from "../sdp/sdp-error.ts"

export type { LocalMedia, RemoteDescription } from "../sdp/index.ts"
export { bodyText, newLocalMedia } from "../sdp/index.ts"

/** Our offer (initial, late-offer 2xx, hold/resume re-INVITE); bumps the o= version. */
export const makeOffer = (local: LocalMedia, direction: Direction): string => createOffer(local, direction)

export type AnswerResult =
  | { readonly _tag: "Answered"; readonly sdp: string; readonly negotiated: NegotiatedMedia }
  /** 488 Not Acceptable Here (RFC 3261 §13.3.1.3). `problem` tells unusable SDP from a real codec mismatch. */
  | { readonly _tag: "NoCommonCodec"; readonly message: string; readonly problem: SdpProblem }

/** Answer the peer's offer; any failure — garbage, no audio, no codec in common — is refused the same way. */
export const answerOffer = (local: LocalMedia, offer: string | RemoteDescription): AnswerResult => {
  const result = createAnswer(local, offer)
  return result._tag === "Answered" ? result : { _tag: "NoCommonCodec", message: result.message, problem: result.problem }
}

export type AcceptResult =
  | { readonly _tag: "Negotiated"; readonly negotiated: NegotiatedMedia }
  | { readonly _tag: "BadAnswer"; readonly message: string; readonly problem: SdpProblem }

/** Read the answer to `offer` (undefined: our last offer, the late-offer ACK case). */
export const acceptAnswer = (local: LocalMedia, offer: string | undefined, answerSdp: string): AcceptResult => {
  const result = readAnswer(local, offer, answerSdp)
  return result._tag === "Negotiated" ? result : { _tag: "BadAnswer", message: result.message, problem: result.problem }
}

export const sdpBody = (sdp: string): Body => ({ contentType: "application/sdp", bytes: sdpBytes(sdp) })

/** An INVITE's offer, parsed once for both the application's summary and our answer; undefined when the
 *  body is not SDP we can read (the caller answers 400 Bad SDP). */
export const readOffer = (sdp: string): RemoteDescription | undefined => {
  const description = parseDescription(sdp)
  return isSdpError(description) ? undefined : description
}
