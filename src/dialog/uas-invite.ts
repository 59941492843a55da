/**
 * The UAS side of an INVITE outside a dialog (RFC 3261 §13.3, §12.1.1, §9.2): we choose the To-tag
 * when the INVITE is reported, provisionals other than 100 create the early dialog, the 2xx confirms
 * it and is retransmitted until the ACK, a CANCEL gets the INVITE a 487.
 */
import { Effect } from "effect"
import { ProtocolError } from "../errors.ts"
import { cseqOf, getHeader, newTag } from "../sip/index.ts"
import type { SipRequest } from "../sip/message.ts"
import type { ServerTransaction } from "../transaction/transaction-layer.ts"
import type { Endpoint } from "../transport/transport.ts"
import type { ResponseOptions } from "./dialog-layer.ts"
import type { DialogContext } from "./context.ts"
import { ignoreFailure, localFor } from "./context.ts"
import { dialogKey, tagOf, uasDialog } from "./dialog-state.ts"
import type { PendingIncoming } from "./dialog-store.ts"
import { buildResponse } from "./message-builder.ts"
import { matchReplaces } from "./replaces.ts"
import { awaitPrack, reserve, sendReliably, wantsReliable } from "./reliable-provisional.ts"
import { startRetransmitting, stopRetransmitting } from "./two-xx-retransmit.ts"

/** A new INVITE the policy (uas-policy.ts) admitted; `fromTag` as the policy read it. */
export const onIncomingInvite = Effect.fnUntraced(function*(ctx: DialogContext, transaction: ServerTransaction, fromTag: string) {
  const { request, source } = transaction
  const callId = getHeader(request, "call-id") ?? ""
  const requestKey = `${callId};${fromTag};${getHeader(request, "cseq") ?? ""}`
  if (ctx.store.incomingByRequest.has(requestKey)) {
    // §8.2.2.2: the same INVITE reached us over another path (a forking proxy upstream): 482.
    const merged = buildResponse(ctx, request, 482, { toTag: newTag() })
    return yield* ignoreFailure(ctx.transactions.respond(transaction.id, merged))
  }
  const replaces = matchReplaces(ctx.store, request)
  if (replaces._tag === "Refused") {
    const refusal = buildResponse(ctx, request, replaces.status, { options: { reason: replaces.reason }, toTag: newTag() })
    return yield* ignoreFailure(ctx.transactions.respond(transaction.id, refusal))
  }
  const localTag = newTag()
  const dialogId = dialogKey(callId, localTag, fromTag)
  ctx.store.addIncoming({
    dialogId,
    transactionId: transaction.id,
    request,
    source,
    localTag,
    local: localFor(ctx, source.transport),
    requestKey
  })
  yield* ctx.emit({
    _tag: "IncomingInvite", dialogId, requestId: transaction.id, request, source,
    ...(replaces._tag === "Leg" ? { replaces: replaces.legId } : {})
  })
})

const pending = (ctx: DialogContext, dialogId: string): Effect.Effect<PendingIncoming, ProtocolError> => {
  const found = ctx.store.incoming.get(dialogId)
  return found === undefined
    ? Effect.fail(new ProtocolError({ reason: "NoSuchDialog", message: `no pending incoming INVITE for ${dialogId}` }))
    : Effect.succeed(found)
}

const badStatus = (what: string, status: number) =>
  new ProtocolError({ reason: "UnexpectedResponse", message: `${what} cannot use status ${status}`, status })

/** 1xx: a status other than 100 carries our tag and Contact and creates the early dialog (§12.1.1). */
export const provisional = Effect.fnUntraced(function*(
  ctx: DialogContext,
  dialogId: string,
  status: number,
  options?: ResponseOptions
) {
  if (status < 100 || status > 199) return yield* badStatus("provisional", status)
  const reliable = wantsReliable(ctx, (yield* pending(ctx, dialogId)).request, status, options?.body !== undefined)
  // RFC 3262 §3: one unacknowledged reliable provisional at a time.
  if (reliable) yield* awaitPrack(ctx, dialogId)
  const invite = yield* pending(ctx, dialogId)
  const rseq = reliable ? reserve(ctx, dialogId) : 0
  const withRSeq = reliable ? { ...options, headers: [...(options?.headers ?? []), ["Require", "100rel"], ["RSeq", String(rseq)]] as const } : options
  const response = buildResponse(ctx, invite.request, status, { options: withRSeq, toTag: invite.localTag, contact: invite.local, createsDialog: true })
  if (status > 100 && !ctx.store.dialogs.has(dialogId)) {
    ctx.store.dialogs.set(dialogId, uasDialog(invite.request, invite.localTag, invite.local, invite.source))
  }
  if (!reliable) return yield* ctx.transactions.respond(invite.transactionId, response)
  yield* sendReliably(ctx, dialogId, invite.transactionId, response, unacknowledged(ctx, dialogId))
})

/** §3: 64*T1 without a PRACK: reject the INVITE with a 5xx; the call is over. */
const unacknowledged = (ctx: DialogContext, dialogId: string) =>
  Effect.andThen(
    reject(ctx, dialogId, 500, { reason: "Reliable Provisional Not Acknowledged" }).pipe(Effect.ignore),
    ctx.emit({ _tag: "DialogTerminated", dialogId, reason: "Timeout" })
  )

/** The 2xx: the dialog is confirmed on our side; we retransmit until the ACK (§13.3.1.4). */
export const accept = Effect.fnUntraced(function*(ctx: DialogContext, dialogId: string, options?: ResponseOptions) {
  // RFC 3262 §3: the final response waits for the PRACK of an outstanding reliable provisional.
  yield* awaitPrack(ctx, dialogId)
  const invite = yield* pending(ctx, dialogId)
  const response = buildResponse(ctx, invite.request, 200, { options, toTag: invite.localTag, contact: invite.local, createsDialog: true })
  // Leave the pending set before the first yield: a CANCEL racing us must find nothing to 487.
  ctx.store.removeIncoming(dialogId)
  const dialog = ctx.store.dialogs.get(dialogId) ?? uasDialog(invite.request, invite.localTag, invite.local, invite.source)
  dialog.state = "confirmed"
  dialog.invite = "none"
  dialog.awaitingAck = { seq: cseqOf(invite.request)?.seq ?? 1 }
  ctx.store.dialogs.set(dialogId, dialog)
  yield* ctx.transactions.respond(invite.transactionId, response).pipe(
    Effect.tapError(() => Effect.sync(() => ctx.store.removeDialog(dialogId)))
  )
  yield* startRetransmitting(ctx, dialogId, response, invite.source)
})

/** A final non-2xx: no dialog (the transaction layer absorbs the ACK, §17.2.1). */
export const reject = Effect.fnUntraced(function*(
  ctx: DialogContext,
  dialogId: string,
  status: number,
  options?: ResponseOptions
) {
  if (status < 300 || status > 699) return yield* badStatus("reject", status)
  const invite = yield* pending(ctx, dialogId)
  ctx.store.removeIncoming(dialogId)
  ctx.store.removeDialog(dialogId)
  yield* ctx.transactions.respond(invite.transactionId, buildResponse(ctx, invite.request, status, { options, toTag: invite.localTag }))
})

/** §9.2: the CANCEL matched our pending INVITE: 487 it, drop the (early) dialog, tell the session. */
export const onCancel = Effect.fnUntraced(function*(ctx: DialogContext, invite: ServerTransaction) {
  const dialogId = ctx.store.incomingByTransaction.get(invite.id)
  const found = dialogId === undefined ? undefined : ctx.store.incoming.get(dialogId)
  if (dialogId === undefined || found === undefined) return
  ctx.store.removeIncoming(dialogId)
  ctx.store.removeDialog(dialogId)
  yield* ignoreFailure(
    ctx.transactions.respond(invite.id, buildResponse(ctx, found.request, 487, { toTag: found.localTag }))
  )
  yield* ctx.emit({ _tag: "InviteCancelled", dialogId })
})

/** §13.3.1.4: an ACK for our 2xx stops its retransmission and confirms the (re-)INVITE. */
export const onAck = Effect.fnUntraced(function*(ctx: DialogContext, ack: SipRequest, _source: Endpoint) {
  const dialogId = dialogKey(getHeader(ack, "call-id") ?? "", tagOf(ack, "to") ?? "", tagOf(ack, "from") ?? "")
  const dialog = ctx.store.dialogs.get(dialogId)
  const seq = cseqOf(ack)?.seq
  if (dialog === undefined || dialog.awaitingAck === undefined || dialog.awaitingAck.seq !== seq) return
  dialog.awaitingAck = undefined
  yield* stopRetransmitting(ctx, dialogId)
  // Also for the 2xx of a re-INVITE: when we offered in that 2xx, the answer is in this ACK (RFC 3264).
  yield* ctx.emit({ _tag: "DialogConfirmed", dialogId: ctx.store.legOf(dialogId), ack })
})
