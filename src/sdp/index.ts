/**
 * SDP offer/answer (RFC 3264) on sdp-transform: what the session layer uses, via src/session/media-negotiation.ts.
 */
export type { Codec, Direction, NegotiatedMedia, TelephoneEvent } from "./negotiated.ts"
export type { SdpError, SdpProblem } from "./sdp-error.ts"
export { isSdpError, sdpError } from "./sdp-error.ts"
export type { CodecSpec } from "./codecs.ts"
export { codecSpec } from "./codecs.ts"
export type { LocalMedia, LocalMediaOptions } from "./local-media.ts"
export { defaultCodecs, newLocalMedia } from "./local-media.ts"
export type { RemoteDescription, RemoteMedia } from "./description.ts"
export { parseDescription } from "./description.ts"
export { createOffer } from "./offer.ts"
export type { Answered } from "./answer.ts"
export { createAnswer } from "./answer.ts"
export type { Negotiated } from "./accept.ts"
export { readAnswer } from "./accept.ts"
export type { SdpSummary } from "./summary.ts"
export { bodyText, sdpBytes, summarize, summarizeDescription } from "./summary.ts"
