/**
 * Everything the dialog layer remembers, keyed for the lookups the RFC asks for: dialogs by dialog ID
 * (§12.2.2), pending incoming INVITEs by the dialog they will create, server transactions the session
 * must still answer, and outgoing INVITEs by Call-ID + From-tag (forking, §13.2.2.4).
 */
import { type Cause, Deferred, Effect, type Queue } from "effect"
import type { Authenticator } from "../auth/authenticator.ts"
import type { Body, OutgoingInviteEvent } from "./dialog-layer.ts"
import { type NetworkError, ProtocolError } from "../errors.ts"
import type { SipRequest } from "../sip/message.ts"
import type { Endpoint } from "../transport/transport.ts"
import type { Dialog } from "./dialog-state.ts"
import { RegistryMap } from "../registry-map.ts"

/** An INVITE outside a dialog we have not answered finally yet (UAS). */
export interface PendingIncoming {
  readonly dialogId: string
  readonly transactionId: string
  readonly request: SipRequest
  readonly source: Endpoint
  readonly localTag: string
  readonly local: Endpoint
  /** Call-ID + From-tag + CSeq: the same INVITE arriving over another path has the same key. */
  readonly requestKey: string
}

/** A request reported to the session with a `requestId`, waiting for its final answer. */
export interface PendingRequest {
  readonly kind: "reinvite" | "update" | "info" | "message" | "subscription"
  readonly request: SipRequest
  /** "" outside a dialog. */
  readonly dialogId: string
  readonly source: Endpoint
  /** Outside a dialog: the To-tag our answer carries (§8.2.6.2). */
  readonly toTag?: string
}

/** One pending incoming INVITE's reliable provisionals (RFC 3262): the next RSeq, the one awaiting its PRACK. */
export interface Reliable {
  nextRSeq: number
  outstanding: { readonly rseq: number; readonly acked: Deferred.Deferred<void, ProtocolError> } | undefined
}

/** An INVITE we sent (UAC) and its forks. */
export interface PendingOutgoing {
  /** The call leg's id. */
  readonly id: string
  readonly callId: string
  readonly localTag: string
  /** The current attempt (a 401/407 answered with credentials starts a new one, §22.2). */
  transactionId: string
  invite: SipRequest
  attempt: number
  readonly authenticator: Authenticator | undefined
  readonly destination: Endpoint
  readonly local: Endpoint
  readonly queue: Queue.Queue<OutgoingInviteEvent, ProtocolError | NetworkError | Cause.Done>
  /** Early dialogs by remote tag. */
  readonly early: Map<string, string>
  /** Forks we answered with ACK + BYE, by remote tag: their ACK is re-sent for each retransmitted 2xx. */
  readonly forks: Map<string, { readonly ack: SipRequest; readonly destination: Endpoint }>
  /** A late-offer INVITE's answer to the peer's offer (InviteOptions.answer). */
  readonly answer: ((offer: Body) => Body | undefined) | undefined
  /** The dialog the first 2xx confirmed. */
  winner: string | undefined
  /** A final response arrived: no longer counted as pending. */
  final: boolean
}

export interface OutgoingLeg {
  readonly callId: string
  readonly localTag: string
  readonly seq: number
}

export class DialogStore {
  readonly dialogs = new RegistryMap<string, Dialog>()
  readonly incoming = new RegistryMap<string, PendingIncoming>()
  /** Server transaction id → the dialog of a pending incoming INVITE. */
  readonly incomingByTransaction = new RegistryMap<string, string>()
  /** §8.2.2.2 merged requests: Call-ID + From-tag + CSeq of each pending incoming INVITE. */
  readonly incomingByRequest = new RegistryMap<string, string>()
  readonly requests = new RegistryMap<string, PendingRequest>()
  /** Reliable provisionals (RFC 3262) of pending incoming INVITEs that asked for them, by dialog id. */
  readonly reliable = new RegistryMap<string, Reliable>()
  readonly outgoing = new RegistryMap<string, PendingOutgoing>()
  /** The id returned by `invite` → the dialog its 2xx confirmed, so the session can keep using it. */
  readonly aliases = new RegistryMap<string, string>()
  private readonly aliasOf = new RegistryMap<string, string>()
  /** Each outgoing leg's Call-ID, From-tag and highest INVITE CSeq, for a retry in the same call
   *  (§8.1.3.4). Bounded: only recent calls can still be retried. */
  private readonly outgoingLegs = new Map<string, OutgoingLeg>()

  /** A dialog by its id or by the id of the INVITE that created it. */
  dialog(id: string): Dialog | undefined {
    return this.dialogs.get(id) ?? this.dialogs.get(this.aliases.get(id) ?? "")
  }

  /** An early dialog of our INVITE reports its requests (UPDATE, INFO) under the call leg's id, and
   *  the leg's own requests (an early UPDATE, RFC 3311 §5.1) go to the latest fork that answered. */
  earlyLeg(inviteId: string, dialogId: string): void {
    this.aliasOf.set(dialogId, inviteId)
    this.aliases.set(inviteId, dialogId)
  }

  alias(inviteId: string, dialogId: string): void {
    this.aliases.set(inviteId, dialogId)
    this.aliasOf.set(dialogId, inviteId)
  }

  rememberLeg(legId: string, leg: OutgoingLeg): void {
    this.outgoingLegs.delete(legId)
    this.outgoingLegs.set(legId, leg)
    if (this.outgoingLegs.size > 4096) this.outgoingLegs.delete(this.outgoingLegs.keys().next().value!)
  }

  outgoingLeg(legId: string): OutgoingLeg | undefined {
    return this.outgoingLegs.get(legId)
  }

  /** The leg a dialog belongs to: the outgoing INVITE's id for the dialog its 2xx confirmed, else the
   *  dialog's own id (incoming: the id IncomingInvite reported). Call before `removeDialog`. */
  legOf(dialogId: string): string {
    return this.aliasOf.get(dialogId) ?? dialogId
  }

  addIncoming(pending: PendingIncoming): void {
    this.incoming.set(pending.dialogId, pending)
    this.incomingByTransaction.set(pending.transactionId, pending.dialogId)
    this.incomingByRequest.set(pending.requestKey, pending.dialogId)
  }

  removeIncoming(dialogId: string): void {
    const pending = this.incoming.get(dialogId)
    if (pending === undefined) return
    this.incoming.delete(dialogId)
    this.incomingByTransaction.delete(pending.transactionId)
    this.incomingByRequest.delete(pending.requestKey)
    const reliable = this.reliable.get(dialogId)
    if (reliable === undefined) return
    this.reliable.delete(dialogId)
    // Whoever waits for a PRACK (the next 18x, the 2xx) learns the INVITE is over.
    if (reliable.outstanding !== undefined) {
      const gone = new ProtocolError({ reason: "NoSuchTransaction", message: `INVITE ${dialogId} answered or cancelled` })
      Deferred.doneUnsafe(reliable.outstanding.acked, Effect.fail(gone))
      reliable.outstanding = undefined
    }
  }

  /** Forget a dialog and every alias and pending request pointing at it. */
  removeDialog(id: string): Dialog | undefined {
    const dialog = this.dialogs.get(id)
    this.dialogs.delete(id)
    const alias = this.aliasOf.get(id)
    if (alias !== undefined) {
      // An early fork's leg id may already name the dialog that won: keep that.
      if (this.aliases.get(alias) === id) this.aliases.delete(alias)
      this.aliasOf.delete(id)
    }
    for (const [requestId, pending] of this.requests) if (pending.dialogId === id) this.requests.delete(requestId)
    return dialog
  }

  get pendingInvites(): number {
    let outgoing = 0
    for (const pending of this.outgoing.values()) if (!pending.final) outgoing++
    return this.incoming.size + outgoing
  }
}
