/**
 * The result of an SDP offer/answer exchange (RFC 3264), as the media layer consumes it.
 * Contract between src/sdp (which produces it) and src/media + src/session (which consume it).
 */

export type Direction = "sendrecv" | "sendonly" | "recvonly" | "inactive"

import type { SrtpKeys } from "./crypto.ts"

/** An audio codec as carried by an rtpmap line. */
export interface Codec {
  readonly payloadType: number
  /** Encoding name as in rtpmap, upper-case: "PCMU", "PCMA", "G722". */
  readonly name: string
  readonly clockRate: number
  readonly channels?: number
}

/** RFC 4733 telephone-event, when both sides support it. */
export interface TelephoneEvent {
  readonly payloadType: number
  readonly clockRate: number
}

export interface NegotiatedMedia {
  /** Where to send RTP (before symmetric-RTP learning): c= and m= of the remote description. */
  readonly remoteAddress: string
  readonly remotePort: number
  /** RTCP destination: port+1, or the a=rtcp attribute, or the RTP port with rtcp-mux. */
  readonly remoteRtcpPort: number
  readonly rtcpMux: boolean
  /** The codec we send with: the first common one in the answerer's preference order. */
  readonly codec: Codec
  /** Every common codec, preferred first. */
  readonly codecs: ReadonlyArray<Codec>
  readonly telephoneEvent?: TelephoneEvent
  /** Packetisation time in ms (a=ptime, default 20). */
  readonly ptime: number
  /** Our own direction after negotiation: whether we send and/or receive. */
  readonly direction: Direction
  /** The remote side put us on hold (sendonly/inactive or the legacy c=0.0.0.0, RFC 3264 §8.4). */
  readonly remoteHold: boolean
  /** RTP/SAVP: media is SRTP with these SDES keys (RFC 4568); absent for plain RTP. */
  readonly srtp?: SrtpKeys
}
