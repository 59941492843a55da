/**
 * The UAC side of an INVITE outside a dialog (RFC 3261 §13.2, §12.1.2): early dialogs per To-tag
 * (forking), the first 2xx confirms one and is ACKed by us (§13.2.2.4), the ACK is re-sent for each
 * retransmission of that 2xx, and a 2xx from any other fork is ACKed and then BYEd.
 */
import { Cause, Effect, FiberSet, Queue, Stream } from "effect"
import type { NetworkError, ProtocolError } from "../errors.ts"
import { getHeader, makeRequest, newBranch, newCallId, newTag } from "../sip/index.ts"
import type { SipResponse } from "../sip/message.ts"
import type { InviteOptions, OutgoingInvite, OutgoingInviteEvent } from "./dialog-layer.ts"
import { byeAndForget } from "./background-request.ts"
import type { DialogContext } from "./dialog-context.ts"
import { asNameAddr, contactFor, ignoreFailure, localFor, userAgentHeaders, viaFor } from "./dialog-context.ts"
import { confirmFrom, cseqOf, inviteKey, tagOf, uacDialog } from "./dialog-state.ts"
import type { PendingOutgoing } from "./dialog-store.ts"
import { bodyHeaders, buildAck } from "./message-builder.ts"

/** §13.2.2.4: a 2xx for a dialog we do not keep: ACK it (else it is retransmitted for 64*T1), then BYE. */
const ackAndBye = Effect.fnUntraced(function*(ctx: DialogContext, outgoing: PendingOutgoing, response: SipResponse, tag: string) {
  const known = outgoing.forks.get(tag)
  if (known !== undefined) return yield* ignoreFailure(ctx.transactions.sendStateless(known.ack, known.destination))
  const loser = uacDialog(outgoing.invite, response, outgoing.local, outgoing.destination)
  const ack = buildAck(ctx, loser, cseqOf(outgoing.invite)?.seq ?? 1)
  outgoing.forks.set(tag, { ack: ack.request, destination: ack.destination })
  yield* ignoreFailure(ctx.transactions.sendStateless(ack.request, ack.destination))
  yield* byeAndForget(ctx, loser)
})

const dropEarly = (ctx: DialogContext, outgoing: PendingOutgoing, keep?: string): void => {
  for (const [tag, dialogId] of outgoing.early) {
    if (dialogId !== keep) ctx.store.removeDialog(dialogId)
    outgoing.early.delete(tag)
  }
}

const onSuccess = Effect.fnUntraced(function*(ctx: DialogContext, outgoing: PendingOutgoing, response: SipResponse, tag: string) {
  const winner = outgoing.winner === undefined ? undefined : ctx.store.dialogs.get(outgoing.winner)
  if (outgoing.winner !== undefined) {
    // A retransmission of the winning 2xx gets the same ACK again; any other fork loses.
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
  const seq = cseqOf(outgoing.invite)?.seq ?? 1
  const ack = buildAck(ctx, dialog, seq)
  dialog.lastAck = { seq, ack: ack.request, destination: ack.destination }
  ctx.store.dialogs.set(dialog.id, dialog)
  ctx.store.alias(outgoing.id, dialog.id)
  outgoing.winner = dialog.id
  outgoing.final = true
  // The other early dialogs end with this 2xx; their own 2xx, if any, is ACKed and BYEd (§13.2.2.4).
  dropEarly(ctx, outgoing, dialog.id)
  yield* ignoreFailure(ctx.transactions.sendStateless(ack.request, ack.destination))
  yield* Queue.offer(outgoing.queue, { _tag: "Answered", response, dialogId: dialog.id })
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
  let dialogId: string | undefined
  if (tag !== undefined) {
    dialogId = outgoing.early.get(tag)
    if (dialogId === undefined) {
      const dialog = uacDialog(outgoing.invite, response, outgoing.local, outgoing.destination)
      ctx.store.dialogs.set(dialog.id, dialog)
      outgoing.early.set(tag, dialog.id)
      dialogId = dialog.id
    }
  }
  yield* Queue.offer(outgoing.queue, { _tag: "Provisional", response, ...(dialogId === undefined ? {} : { dialogId }) })
})

/** Follow the client transaction to its end (Timer M after a 2xx); a failure before any final
 *  response fails the events stream. */
const follow = (ctx: DialogContext, outgoing: PendingOutgoing, responses: Stream.Stream<SipResponse, ProtocolError | NetworkError>) =>
  Stream.runForEach(responses, (response) => onInviteResponse(ctx, outgoing, response)).pipe(
    Effect.catch((error) =>
      Effect.gen(function*() {
        if (outgoing.final) return
        outgoing.final = true
        dropEarly(ctx, outgoing)
        yield* Queue.fail(outgoing.queue, error)
      })
    ),
    Effect.ensuring(Effect.gen(function*() {
      dropEarly(ctx, outgoing)
      ctx.store.outgoing.delete(outgoing.id)
      yield* Queue.end(outgoing.queue)
    })),
    Effect.catchCause((cause) => Effect.logWarning("dialog layer: INVITE follower failed", Cause.pretty(cause)))
  )

/** §13.2.1 + §8.1.1: INVITE with our From-tag, a new Call-ID, CSeq 1, Contact, Max-Forwards 70. */
export const invite = Effect.fnUntraced(function*(ctx: DialogContext, options: InviteOptions) {
  const local = localFor(ctx, options.destination.transport)
  const callId = newCallId(ctx.contactHost)
  const localTag = newTag()
  const request = makeRequest({
    method: "INVITE",
    uri: options.target,
    headers: [
      ["Via", viaFor(ctx, local, newBranch())],
      ["Max-Forwards", "70"],
      ["From", `${asNameAddr(options.from)};tag=${localTag}`],
      ["To", asNameAddr(options.to)],
      ["Call-ID", callId],
      ["CSeq", "1 INVITE"],
      ["Contact", contactFor(ctx, local)],
      ...userAgentHeaders(ctx),
      ...(options.headers ?? []),
      ...bodyHeaders(options.body)
    ],
    ...(options.body === undefined ? {} : { body: options.body.bytes })
  })
  const transaction = yield* ctx.transactions.sendRequest(request, options.destination)
  const queue = yield* Queue.unbounded<OutgoingInviteEvent, ProtocolError | NetworkError | Cause.Done>()
  const outgoing: PendingOutgoing = {
    id: inviteKey(callId, localTag),
    transactionId: transaction.id,
    invite: transaction.request,
    destination: options.destination,
    local,
    queue,
    early: new Map(),
    forks: new Map(),
    winner: undefined,
    final: false
  }
  ctx.store.outgoing.set(outgoing.id, outgoing)
  yield* FiberSet.run(ctx.background, follow(ctx, outgoing, transaction.responses))
  const result: OutgoingInvite = { dialogId: outgoing.id, callId, events: Stream.fromQueue(queue) }
  return result
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

/** §9.1: CANCEL the INVITE behind `dialogId` (the id `invite` returned, or one of its early dialogs). */
export const findOutgoing = (ctx: DialogContext, dialogId: string): PendingOutgoing | undefined => {
  const direct = ctx.store.outgoing.get(dialogId)
  if (direct !== undefined) return direct
  const [callId, localTag] = dialogId.split(";")
  return ctx.store.outgoing.get(inviteKey(callId ?? "", localTag ?? ""))
}
