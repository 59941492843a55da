/**
 * What the application says when it places a call.
 */
import type { DigestCredentials } from "../auth/digest-credentials.ts"
import type { MediaSource } from "../media/media-engine.ts"
import type { Endpoint } from "../transport/transport.ts"
import type { DtmfMethod } from "./session-events.ts"

export interface CallOptions {
  /** Request-URI of the callee, e.g. "sip:bob@127.0.0.1:5080". */
  readonly target: string
  /** Where to send the INVITE: an outbound proxy. Default: the target's own host, port and transport. */
  readonly destination?: Endpoint
  /** Our From (name-addr); default: the manager's local URI. */
  readonly from?: string
  /** The To (name-addr); default: `<target>`. */
  readonly to?: string
  /** What the call plays; default: the manager's default source. */
  readonly media?: MediaSource
  /** Codec names, preferred first, for our offer. */
  readonly codecs?: ReadonlyArray<string>
  /** Give up (CANCEL) when not answered within this; default: the manager's ring timeout. 0 disables. */
  readonly ringTimeoutMs?: number
  readonly headers?: ReadonlyArray<readonly [string, string]>
  /** How sendDtmf sends this call's digits unless told (default RFC 4733). */
  readonly dtmf?: DtmfMethod
  /** Digest credentials for 401/407 on the INVITE and on later requests of the call; default: the manager's. */
  readonly credentials?: DigestCredentials
  /** Send `Require: 100rel` (RFC 3262 §4): a callee that cannot send reliable provisionals must refuse
   *  with 420; default: the manager's `require100rel` (else only `Supported: 100rel`). */
  readonly require100rel?: boolean
  /** Send the INVITE without SDP (late offer): the callee offers in a reliable 18x (answered in our PRACK,
   *  RFC 3262 §5) or in its 2xx (answered in our ACK). */
  readonly lateOffer?: boolean
  /** Offer SRTP (RTP/SAVP with an SDES key, RFC 4568) instead of RTP/AVP. Send it over TLS: the key is in the SDP. */
  readonly srtp?: boolean
}
