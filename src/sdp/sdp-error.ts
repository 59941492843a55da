/**
 * Why an SDP exchange failed, as a value: src/sdp never throws on what a peer sends (STYLE: pure code
 * returns a value or an error value). The session layer maps these onto 400 / 488 / a logged bad answer.
 */

export type SdpProblem =
  /** Not SDP at all, or a line sdp-transform could not make sense of where we need it (v=, o=, m=). */
  | "Unparseable"
  /** No m= line (RFC 4566 §5.14). */
  | "MissingMedia"
  /** An active m= line with no c= at either level (RFC 4566 §5.7). */
  | "MissingConnection"
  /** Nothing offered that we can use: no RTP/AVP audio stream, or no codec in common (RFC 3264 §6 → 488). */
  | "NoCommonCodec"
  /** An answer that does not fit our offer (RFC 3264 §6: same m= lines, formats we offered). */
  | "BadAnswer"

export interface SdpError {
  readonly _tag: "SdpError"
  readonly problem: SdpProblem
  readonly message: string
}

export const sdpError = (problem: SdpProblem, message: string): SdpError => ({ _tag: "SdpError", problem, message })

export const isSdpError = (value: unknown): value is SdpError =>
  typeof value === "object" && value !== null && (value as { _tag?: unknown })._tag === "SdpError"
