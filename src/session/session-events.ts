/**
 * What the SessionCoordinator tells the application: the `SessionEvent` stream.
 */
import type { MediaStats } from "../media/media-engine.ts"
import type { SdpSummary } from "../sdp/summary.ts"
import type { CallState, EndReason } from "./call-state.ts"

/** What the application learns about an incoming call before deciding. */
export interface IncomingCall {
  readonly sessionId: string
  readonly callId: string
  /** From and To, raw name-addr values, and their URIs. */
  readonly from: string
  readonly to: string
  readonly callerUri: string
  readonly calleeUri: string
  readonly requestUri: string
  /** A summary of the SDP offer, absent for a late-offer INVITE (no body). */
  readonly offer?: OfferSummary
  /** Every header, lower-case name → values, for routing decisions. */
  readonly headers: ReadonlyMap<string, ReadonlyArray<string>>
  readonly source: { readonly host: string; readonly port: number; readonly transport: string }
  /** RFC 3891: the session this call replaces (its INVITE's Replaces named that call's dialog). Once this
   *  call is answered and confirmed, the other one ends (`CallReplaced`). */
  readonly replaces?: string
}

/** How a DTMF digit travelled: RTP telephone-events (RFC 4733) or SIP INFO (RFC 6086). */
export type DtmfSource = "rfc4733" | "info"

/** How sendDtmf sends digits: the same two ways. */
export type DtmfMethod = DtmfSource

/** What IncomingCall.offer shows of the caller's SDP offer. */
export type OfferSummary = SdpSummary

export type SessionEvent =
  | { readonly _tag: "IncomingCall"; readonly sessionId: string; readonly call: IncomingCall }
  /** `headers`: the extra headers the INVITE carries (CallOptions.headers), e.g. a W3C traceparent. */
  | { readonly _tag: "OutgoingCall"; readonly sessionId: string; readonly target: string; readonly headers: ReadonlyArray<readonly [string, string]> }
  | { readonly _tag: "StateChanged"; readonly sessionId: string; readonly from: CallState; readonly to: CallState }
  | { readonly _tag: "MediaStarted"; readonly sessionId: string; readonly codec: string; readonly remote: string }
  | { readonly _tag: "MediaStopped"; readonly sessionId: string; readonly stats: MediaStats }
  /** A digit from the peer: RTP telephone-events (RFC 4733) or an INFO (application/dtmf-relay or application/dtmf). */
  | { readonly _tag: "DtmfReceived"; readonly sessionId: string; readonly digit: string; readonly durationMs: number; readonly source: DtmfSource }
  /** An INFO in the call (RFC 6086) that is no DTMF: its Content-Type and body (already answered 200). */
  /** A MESSAGE (RFC 3428), in a call (`sessionId`) or outside any; already answered 200. */
  | {
    readonly _tag: "MessageReceived"
    readonly sessionId: string | undefined
    readonly from: string
    readonly to: string
    readonly contentType: string
    readonly body: Uint8Array
  }
  | { readonly _tag: "InfoReceived"; readonly sessionId: string; readonly contentType: string; readonly body: Uint8Array }
  | { readonly _tag: "QualityReport"; readonly sessionId: string; readonly stats: MediaStats }
  | { readonly _tag: "CallEnded"; readonly sessionId: string; readonly reason: EndReason }
  /** RFC 3891: `replacedBy` (an INVITE with Replaces) took this call's place; this call now ends. */
  | { readonly _tag: "CallReplaced"; readonly sessionId: string; readonly replacedBy: string }
  /** A transfer we asked for (REFER, RFC 3515): the status of the transferee's new call, from its NOTIFY's
   *  message/sipfrag (100, 180, then 200 or the failure). */
  | { readonly _tag: "TransferProgress"; readonly sessionId: string; readonly status: number }
