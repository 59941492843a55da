/**
 * The DialogLayer service (RFC 3261 §12–§15, RFC 6026): dialog state, in-dialog request building,
 * 2xx/ACK reliability, forking. It builds and sends every SIP message the session layer asks for;
 * the session layer above states intent only. Contract between src/dialog and src/session.
 */
import { Context, type Effect, type Stream } from "effect"
import type { DigestCredentials } from "../auth/digest-credentials.ts"
import type { NetworkError, ProtocolError } from "../errors.ts"
import type { SipRequest, SipResponse } from "../sip/message.ts"
import type { Endpoint } from "../transport/transport.ts"

/** A body with its type, e.g. SDP: `{ contentType: "application/sdp", bytes }`. */
export interface Body {
  readonly contentType: string
  readonly bytes: Uint8Array
}

/** What a response carries beyond status: extra headers and a body. */
export interface ResponseOptions {
  readonly reason?: string
  /** §20.33 Retry-After, in seconds (e.g. with 503 or 486): when the caller may try again. */
  readonly retryAfterSeconds?: number
  readonly headers?: ReadonlyArray<readonly [string, string]>
  readonly body?: Body
}

/** Every `dialogId` the session sees is a call leg's id: issued once by this layer (for an incoming
 *  INVITE in its IncomingInvite event, for an outgoing one by `invite`), opaque, and the same through
 *  early dialogs, the 2xx (forking: the winning dialog), a redirect or auth retry, re-INVITEs and BYE.
 *  Dialog keys (Call-ID and tags) stay inside this layer. */
export type LegId = string

/** Events up to the session layer. Requests the dialog layer answers on its own (the §8.2 policy of
 *  uas-policy.ts, OPTIONS, BYE → 200, CANCEL → 487 on the INVITE, 481 for unknown dialogs, 500 for
 *  a lower CSeq, 491 for a re-INVITE while one is pending) never reach it or are reported after the fact. `requestId` is the server transaction to answer through `respond`. */
export type DialogEvent =
  /** A new INVITE outside any dialog. `dialogId` is the new call leg's id (our To-tag is chosen). `replaces`:
   *  the leg its Replaces header named (RFC 3891, matched here; an INVITE naming no leg got 481). */
  | {
    readonly _tag: "IncomingInvite"
    readonly dialogId: string
    readonly requestId: string
    readonly request: SipRequest
    readonly source: Endpoint
    readonly replaces?: LegId
  }
  /** The caller CANCELled before we answered; the INVITE got 487, the dialog is gone. */
  | { readonly _tag: "InviteCancelled"; readonly dialogId: string }
  /** The ACK for our 2xx arrived: the UAS dialog is confirmed. Carries the SDP answer in the late-offer case.
   *  Also reported for the ACK of our 2xx to a re-INVITE (the answer, when we offered in that 2xx). */
  | { readonly _tag: "DialogConfirmed"; readonly dialogId: string; readonly ack: SipRequest }
  /** A re-INVITE (or UPDATE) in a confirmed dialog; answer it through `respond`. */
  | { readonly _tag: "ReinviteReceived"; readonly dialogId: string; readonly requestId: string; readonly request: SipRequest }
  /** An INFO in a dialog (RFC 6086): its body is the application's; answer it through `respond`. */
  | { readonly _tag: "InfoReceived"; readonly dialogId: string; readonly requestId: string; readonly request: SipRequest }
  /** The PRACK of our reliable 18x carried a body: the answer to the offer in that 18x (RFC 3262 §5). The
   *  PRACK itself is already answered 200. */
  | { readonly _tag: "PrackReceived"; readonly dialogId: string; readonly request: SipRequest }
  /** A REFER (RFC 3515) or a NOTIFY (of the subscription a REFER of ours created) in a dialog; answer it
   *  through `respond`. */
  | { readonly _tag: "ReferReceived" | "NotifyReceived"; readonly dialogId: string; readonly requestId: string; readonly request: SipRequest }
  /** A MESSAGE (RFC 3428), outside a dialog (`dialogId` undefined) or in one; answer it through `respond`. */
  | { readonly _tag: "MessageReceived"; readonly dialogId: string | undefined; readonly requestId: string; readonly request: SipRequest }
  /** The dialog ended: the peer's BYE (already answered 200), our BYE done, no ACK within 64*T1 (we sent
   *  BYE, §13.3.1.4), a transaction timeout, or a transport failure. */
  | { readonly _tag: "DialogTerminated"; readonly dialogId: string; readonly reason: "RemoteBye" | "LocalBye" | "AckTimeout" | "Timeout" | "TransportError" }

/** Progress of an INVITE we sent (UAC). Forking: each provisional with a new To-tag is its own early
 *  dialog; the first 2xx wins (ACKed by the layer); a later 2xx from another branch is ACKed then BYEd. */
export type OutgoingInviteEvent =
  | { readonly _tag: "Provisional"; readonly response: SipResponse }
  | { readonly _tag: "Answered"; readonly response: SipResponse }
  | { readonly _tag: "Failed"; readonly response: SipResponse }

export interface OutgoingInvite {
  /** The call leg: requests, CANCEL and events of this call use it, whichever fork answers. */
  readonly dialogId: LegId
  readonly callId: string
  /** Ends after the final response (and for a 2xx, once the ACK went out). Fails with a
   *  ProtocolError "TransactionTimeout" (Timer B) or a NetworkError. */
  readonly events: Stream.Stream<OutgoingInviteEvent, ProtocolError | NetworkError>
}

export interface InviteOptions {
  /** Request-URI, e.g. "sip:bob@127.0.0.1:5060". */
  readonly target: string
  readonly from: string
  readonly to: string
  /** Where to send: an outbound proxy or the target's host:port. */
  readonly destination: Endpoint
  readonly body?: Body
  readonly headers?: ReadonlyArray<readonly [string, string]>
  /** Retry within the same call (§8.1.3.4 redirect, §8.1.1.4): the leg id of an earlier
   *  OutgoingInvite that failed. The new INVITE keeps its Call-ID and From-tag, with a higher CSeq,
   *  and `invite` returns the same leg id. */
  readonly continues?: LegId
  /** Digest credentials (§22.2): a 401/407 to this INVITE, or to a later request in its dialog, is
   *  answered by sending the request again with credentials; a refusal ends it as usual. */
  readonly credentials?: DigestCredentials
  /** A late-offer INVITE (no body): our answer to the peer's offer, which comes in its first reliable 18x
   *  (the answer goes in the PRACK, RFC 3262 §5) or else in the 2xx (in the ACK, RFC 3264 §4). Pure; undefined
   *  when the offer is unusable (the PRACK or ACK then goes without a body). */
  readonly answer?: (offer: Body) => Body | undefined
}

/** A request outside any dialog that creates none (MESSAGE). */
export interface OutOfDialogOptions {
  readonly target: string
  readonly from: string
  readonly to: string
  readonly destination: Endpoint
  readonly body?: Body
  readonly headers?: ReadonlyArray<readonly [string, string]>
}

export interface DialogCounts {
  readonly dialogs: number
  readonly pendingInvites: number
}

export class DialogLayer extends Context.Service<DialogLayer, {
  /** Single consumer. A bounded queue with backpressure: while the consumer lags, the layer stops
   *  reading transaction events (whose queue and then the socket buffer absorb the burst, dropping and
   *  counting at the edge). Events raised inside a command never block that command. */
  readonly events: Stream.Stream<DialogEvent>
  /** Send 180/183 (with an optional body, e.g. early-media SDP) on a pending incoming INVITE: creates the early dialog. */
  provisional(dialogId: string, status: number, options?: ResponseOptions): Effect.Effect<void, ProtocolError | NetworkError>
  /** Send the 2xx; the layer retransmits it (T1 doubling to T2) until the ACK, and after 64*T1 without ACK
   *  sends BYE and reports DialogTerminated "AckTimeout" (§13.3.1.4). */
  accept(dialogId: string, options?: ResponseOptions): Effect.Effect<void, ProtocolError | NetworkError>
  /** Answer a pending incoming INVITE with a final non-2xx status (3xx–6xx); the dialog is gone. */
  reject(dialogId: string, status: number, options?: ResponseOptions): Effect.Effect<void, ProtocolError | NetworkError>
  /** Answer any other request reported with a `requestId` (re-INVITE, INFO, OPTIONS…). */
  respond(requestId: string, status: number, options?: ResponseOptions): Effect.Effect<void, ProtocolError | NetworkError>
  /** Place an INVITE (UAC). */
  invite(options: InviteOptions): Effect.Effect<OutgoingInvite, NetworkError>
  /** CANCEL our pending INVITE (§9.1); the INVITE then fails with 487. */
  cancel(dialogId: string): Effect.Effect<void, ProtocolError | NetworkError>
  /** Send an in-dialog request (re-INVITE, INFO, BYE…) built per §12.2.1.1 and return its final response.
   *  A 2xx to a re-INVITE is ACKed by the layer. BYE ends the dialog whatever its answer. */
  request(dialogId: string, method: string, options?: { readonly body?: Body; readonly headers?: ReadonlyArray<readonly [string, string]> }): Effect.Effect<SipResponse, ProtocolError | NetworkError>
  /** The remote target of a leg's dialog with that dialog as an embedded Replaces header (RFC 3891 §5,
   *  from the peer's side): the Refer-To URI of an attended transfer. ProtocolError "NoSuchDialog" without one. */
  replacingUri(dialogId: string): Effect.Effect<string, ProtocolError>
  /** Send a request outside any dialog (MESSAGE, RFC 3428) and return its final response. */
  outOfDialog(method: string, options: OutOfDialogOptions): Effect.Effect<SipResponse, ProtocolError | NetworkError>
  /** Shutdown: from now on new INVITEs outside a dialog get 503 with Retry-After, OPTIONS 503. */
  readonly drain: Effect.Effect<void>
  readonly counts: Effect.Effect<DialogCounts>
}>()("effect-sip/dialog/DialogLayer") {}
