/**
 * Requests from the peer (RFC 3261 §8.2, §11.2, §12.2.2, §14.2, §15.1.2): the UAS policy first
 * (uas-policy.ts), then a new INVITE goes to the session, OPTIONS is answered here, and in-dialog
 * requests are checked against the dialog (481 unknown, 500 lower CSeq, glare). BYE and OPTIONS in a
 * dialog are answered here; re-INVITE, UPDATE, INFO, REFER, NOTIFY and MESSAGE (in or out of a dialog) go to
 * the session.
 */
import { Effect, FiberSet } from "effect"
import { cseqOf, getHeader, isParseError, newTag, parseNameAddr } from "../sip/index.ts"
import type { ServerTransaction } from "../transaction/transaction-layer.ts"
import type { ResponseOptions } from "./dialog-layer.ts"
import type { DialogContext } from "./context.ts"
import { ignoreFailure } from "./context.ts"
import { type Dialog, dialogKey } from "./dialog-state.ts"
import type { PendingRequest } from "./dialog-store.ts"
import { endDialog } from "./in-dialog-request.ts"
import { buildResponse } from "./message-builder.ts"
import { onPrack } from "./reliable-provisional.ts"
import { uasPolicy } from "./uas-policy.ts"
import { onIncomingInvite } from "./uas-invite.ts"

type Headers = ReadonlyArray<readonly [string, string]>

/** `toTag`: ours, for a request outside a dialog (§8.2.6.2); in a dialog the To already has one. */
const answer = (
  ctx: DialogContext,
  transaction: ServerTransaction,
  status: number,
  options?: ResponseOptions,
  toTag?: string
) => ignoreFailure(ctx.transactions.respond(transaction.id, buildResponse(ctx, transaction.request, status, { options, toTag })))

/** §15.1.2: BYE → 200; requests still pending on the dialog get 487; an unanswered INVITE too (the
 *  caller may BYE an early dialog, §15). */
const onBye = Effect.fnUntraced(function*(ctx: DialogContext, transaction: ServerTransaction, dialog: Dialog) {
  const invite = ctx.store.incoming.get(dialog.id)
  if (invite !== undefined) {
    ctx.store.removeIncoming(dialog.id)
    const terminated = buildResponse(ctx, invite.request, 487, { toTag: invite.localTag })
    yield* ignoreFailure(ctx.transactions.respond(invite.transactionId, terminated))
  }
  for (const [requestId, pending] of ctx.store.requests) {
    if (pending.dialogId !== dialog.id) continue
    ctx.store.requests.delete(requestId)
    yield* ignoreFailure(ctx.transactions.respond(requestId, buildResponse(ctx, pending.request, 487)))
  }
  yield* answer(ctx, transaction, 200)
  yield* endDialog(ctx, dialog.id, "RemoteBye")
})

const retryAfter = (): Headers => [["Retry-After", String(Math.floor(Math.random() * 11))]]

const inDialog = Effect.fnUntraced(function*(ctx: DialogContext, transaction: ServerTransaction, toTag: string, fromTag: string) {
  const { request, source } = transaction
  const dialogId = dialogKey(getHeader(request, "call-id") ?? "", toTag, fromTag)
  const dialog = ctx.store.dialogs.get(dialogId)
  // §12.2.2: a To-tag naming no dialog we know.
  if (dialog === undefined) return yield* answer(ctx, transaction, 481)
  const seq = cseqOf(request)?.seq
  if (seq === undefined) return yield* answer(ctx, transaction, 400)
  // §12.2.2: out of order.
  if (dialog.remoteSeq !== undefined && seq < dialog.remoteSeq) return yield* answer(ctx, transaction, 500)
  dialog.remoteSeq = seq
  const register = (kind: PendingRequest["kind"]) =>
    ctx.store.requests.set(transaction.id, { kind, request, dialogId, source })
  switch (request.method) {
    case "BYE":
      return yield* onBye(ctx, transaction, dialog)
    case "INVITE": {
      // §14.2: our INVITE in progress → 491; theirs still unanswered → 500 with Retry-After.
      if (dialog.invite === "outgoing") return yield* answer(ctx, transaction, 491)
      if (dialog.invite === "incoming") return yield* answer(ctx, transaction, 500, { headers: retryAfter() })
      dialog.invite = "incoming"
      register("reinvite")
      return yield* ctx.emit({ _tag: "ReinviteReceived", dialogId: ctx.store.legOf(dialogId), requestId: transaction.id, request })
    }
    case "UPDATE":
      register("update")
      return yield* ctx.emit({ _tag: "ReinviteReceived", dialogId: ctx.store.legOf(dialogId), requestId: transaction.id, request })
    case "OPTIONS":
      return yield* answer(ctx, transaction, 200, { headers: ctx.claims.capabilities })
    case "PRACK": {
      // RFC 3262 §3: the PRACK of our reliable 18x on the still pending INVITE.
      const invite = ctx.store.incoming.get(dialogId)
      const status = onPrack(ctx, dialogId, request, invite === undefined ? undefined : cseqOf(invite.request)?.seq)
      yield* answer(ctx, transaction, status, status === 400 ? { reason: "Missing RAck" } : undefined)
      if (status !== 200 || request.body.length === 0) return
      return yield* ctx.emit({ _tag: "PrackReceived", dialogId: ctx.store.legOf(dialogId), request })
    }
    case "REFER":
    case "NOTIFY":
      // RFC 3515: a transfer asked of us, or the progress of ours; the session answers both.
      register("subscription")
      return yield* ctx.emit({
        _tag: request.method === "REFER" ? "ReferReceived" : "NotifyReceived",
        dialogId: ctx.store.legOf(dialogId), requestId: transaction.id, request
      })
    case "MESSAGE":
      register("message")
      return yield* ctx.emit({ _tag: "MessageReceived", dialogId: ctx.store.legOf(dialogId), requestId: transaction.id, request })
    default:
      // INFO (RFC 6086): the policy lets no other method through (§8.2.1). Its body is the application's.
      register("info")
      return yield* ctx.emit({ _tag: "InfoReceived", dialogId: ctx.store.legOf(dialogId), requestId: transaction.id, request })
  }
})

export const onRequest = Effect.fnUntraced(function*(ctx: DialogContext, transaction: ServerTransaction) {
  const { request } = transaction
  const from = parseNameAddr(getHeader(request, "from") ?? "")
  const to = parseNameAddr(getHeader(request, "to") ?? "")
  const toTag = isParseError(to) ? undefined : to.tag
  const inDialogRequest = toTag !== undefined
  const refusal = uasPolicy(request, from, to, ctx.admission.draining, ctx.claims)
  if (refusal !== undefined) {
    // §8.2.6.2: outside a dialog our answer carries a To-tag; a To we could not read gets none.
    return yield* answer(ctx, transaction, refusal.status, refusal, inDialogRequest || isParseError(to) ? undefined : newTag())
  }
  const fromTag = isParseError(from) ? "" : from.tag ?? ""
  if (inDialogRequest) return yield* inDialog(ctx, transaction, toTag, fromTag)
  const gate = ctx.gates.get(request.method)
  const stopped = gate === undefined ? undefined : yield* gate.check({ request, source: transaction.source })
  if (stopped !== undefined) return yield* answer(ctx, transaction, stopped.status, stopped.options, newTag())
  if (request.method === "INVITE") return yield* onIncomingInvite(ctx, transaction, fromTag)
  if (request.method === "MESSAGE") {
    // RFC 3428 §7: outside a dialog, creating none; the application answers it.
    ctx.store.requests.set(transaction.id, { kind: "message", request, dialogId: "", source: transaction.source, toTag: newTag() })
    return yield* ctx.emit({ _tag: "MessageReceived", dialogId: undefined, requestId: transaction.id, request })
  }
  const usage = ctx.usages.get(request.method)
  if (usage !== undefined) {
    // Its own fiber: a usage may wait on storage; the transaction layer absorbs retransmissions meanwhile.
    const reply = Effect.flatMap(usage.handle({ request, source: transaction.source }), (a) =>
      answer(ctx, transaction, a.status, a.options, newTag()))
    return yield* FiberSet.run(ctx.background, reply).pipe(Effect.asVoid)
  }
  // §11.2: OPTIONS outside a dialog, answered as an INVITE would be (the policy refused it while draining).
  return yield* answer(ctx, transaction, 200, { headers: ctx.claims.capabilities }, newTag())
})
