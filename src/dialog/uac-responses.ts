/**
 * Responses to an INVITE we sent (RFC 3261 §13.2.2, §12.1.2): early dialogs per To-tag (forking), the
 * first 2xx confirms one and is ACKed by us (§13.2.2.4), the ACK is re-sent for each retransmission of
 * that 2xx, and a 2xx from any other fork is ACKed and then BYEd. Reliable 18x are PRACKed (uac-prack.ts).
 */
import { Effect, Queue } from "effect"
import { cseqOf, getHeader, getHeaders } from "../sip/index.ts"
import type { SipResponse } from "../sip/message.ts"
import { byeAndForget } from "./background-request.ts"
import type { DialogContext } from "./context.ts"
import { ignoreFailure } from "./context.ts"
import { confirmFrom, type Dialog, inviteKey, tagOf, uacDialog } from "./dialog-state.ts"
import type { PendingOutgoing } from "./dialog-store.ts"
import { buildInDialog } from "./message-builder.ts"
import { answerToOffer, prackIfReliable } from "./uac-prack.ts"

/** §13.2.2.4: the ACK for a 2xx: the INVITE's CSeq number and, §22.1, the INVITE's credentials; after a
 *  late-offer INVITE whose offer came only in this 2xx, our answer (RFC 3264 §4). */
const ackFor = (ctx: DialogContext, outgoing: PendingOutgoing, dialog: Dialog, response: SipResponse) => {
  const credentials = [
    ...getHeaders(outgoing.invite, "authorization").map((v) => ["Authorization", v] as const),
    ...getHeaders(outgoing.invite, "proxy-authorization").map((v) => ["Proxy-Authorization", v] as const)
  ]
  const seq = cseqOf(outgoing.invite)?.seq ?? 1
  const body = answerToOffer(outgoing, dialog, response)
  return { seq, ...buildInDialog(ctx, dialog, { method: "ACK", seq, headers: credentials, ...(body === undefined ? {} : { body }) }) }
}

/** §13.2.2.4: a 2xx for a dialog we do not keep: ACK it (else it is retransmitted for 64*T1), then BYE. */
const ackAndBye = Effect.fnUntraced(function*(ctx: DialogContext, outgoing: PendingOutgoing, response: SipResponse, tag: string) {
  const known = outgoing.forks.get(tag)
  if (known !== undefined) return yield* ignoreFailure(ctx.transactions.sendStateless(known.ack, known.destination))
  const loser = uacDialog(outgoing.invite, response, outgoing.local, outgoing.destination)
  // Its offer gets no answer of ours: that would replace the winner's in the call; the BYE follows anyway.
  loser.offerAnswered = true
  const ack = ackFor(ctx, outgoing, loser, response)
  outgoing.forks.set(tag, { ack: ack.request, destination: ack.destination })
  yield* ignoreFailure(ctx.transactions.sendStateless(ack.request, ack.destination))
  yield* byeAndForget(ctx, loser)
})

export const dropEarly = (ctx: DialogContext, outgoing: PendingOutgoing, keep?: string): void => {
  for (const [tag, dialogId] of outgoing.early) {
    if (dialogId !== keep) ctx.store.removeDialog(dialogId)
    outgoing.early.delete(tag)
  }
}

const onSuccess = Effect.fnUntraced(function*(ctx: DialogContext, outgoing: PendingOutgoing, response: SipResponse, tag: string) {
  if (outgoing.winner !== undefined) {
    // A retransmission of the winning 2xx gets the same ACK again; any other fork loses.
    const winner = ctx.store.dialogs.get(outgoing.winner)
    const lastAck = winner?.lastAck
    if (winner?.remoteTag === tag && lastAck !== undefined && lastAck.seq === cseqOf(response)?.seq) {
      return yield* ignoreFailure(ctx.transactions.sendStateless(lastAck.ack, lastAck.destination))
    }
    if (winner?.remoteTag === tag) return
    return yield* ackAndBye(ctx, outgoing, response, tag)
  }
  const earlyId = outgoing.early.get(tag)
  const dialog = (earlyId === undefined ? undefined : ctx.store.dialogs.get(earlyId)) ??
    uacDialog(outgoing.invite, response, outgoing.local, outgoing.destination)
  confirmFrom(dialog, response)
  dialog.invite = "none"
  dialog.authenticator = outgoing.authenticator
  const ack = ackFor(ctx, outgoing, dialog, response)
  dialog.lastAck = { seq: ack.seq, ack: ack.request, destination: ack.destination }
  ctx.store.dialogs.set(dialog.id, dialog)
  ctx.store.alias(outgoing.id, dialog.id)
  outgoing.winner = dialog.id
  outgoing.final = true
  // The other early dialogs end with this 2xx; their own 2xx, if any, is ACKed and BYEd (§13.2.2.4).
  dropEarly(ctx, outgoing, dialog.id)
  yield* ignoreFailure(ctx.transactions.sendStateless(ack.request, ack.destination))
  yield* Queue.offer(outgoing.queue, { _tag: "Answered", response })
  yield* Queue.end(outgoing.queue)
})

/** One response on the INVITE client transaction, or a stray 2xx for it from the transaction layer. */
export const onInviteResponse = Effect.fnUntraced(function*(ctx: DialogContext, outgoing: PendingOutgoing, response: SipResponse) {
  const tag = tagOf(response, "to")
  if (response.status >= 200 && response.status < 300) {
    if (tag !== undefined) yield* onSuccess(ctx, outgoing, response, tag)
    return
  }
  if (outgoing.final) return
  if (response.status >= 300) {
    outgoing.final = true
    dropEarly(ctx, outgoing)
    yield* Queue.offer(outgoing.queue, { _tag: "Failed", response })
    return yield* Queue.end(outgoing.queue)
  }
  if (response.status === 100) return
  if (tag !== undefined && !outgoing.early.has(tag)) {
    const dialog = uacDialog(outgoing.invite, response, outgoing.local, outgoing.destination)
    dialog.authenticator = outgoing.authenticator
    ctx.store.dialogs.set(dialog.id, dialog)
    ctx.store.earlyLeg(outgoing.id, dialog.id)
    outgoing.early.set(tag, dialog.id)
  }
  const early = tag === undefined ? undefined : ctx.store.dialogs.get(outgoing.early.get(tag) ?? "")
  if (early !== undefined && !(yield* prackIfReliable(ctx, outgoing, early, response))) return
  yield* Queue.offer(outgoing.queue, { _tag: "Provisional", response })
})

/** A 2xx the transaction layer could not match (its INVITE transaction is gone, or another fork). */
export const onStrayResponse = Effect.fnUntraced(function*(ctx: DialogContext, response: SipResponse) {
  const cseq = cseqOf(response)
  if (cseq?.method !== "INVITE" || response.status < 200 || response.status >= 300) return
  const callId = getHeader(response, "call-id") ?? ""
  const localTag = tagOf(response, "from") ?? ""
  const dialog = ctx.store.dialogs.get(`${callId};${localTag};${tagOf(response, "to") ?? ""}`)
  if (dialog?.lastAck !== undefined && dialog.lastAck.seq === cseq.seq) {
    return yield* ignoreFailure(ctx.transactions.sendStateless(dialog.lastAck.ack, dialog.lastAck.destination))
  }
  const outgoing = ctx.store.outgoing.get(inviteKey(callId, localTag))
  if (outgoing !== undefined) yield* onInviteResponse(ctx, outgoing, response)
})
