/**
 * Requests from the peer (RFC 3261 §12.2.2, §14.2, §15.1.2): a new INVITE or another request outside
 * a dialog, and in-dialog requests checked against the dialog (481 unknown, 500 lower CSeq, glare)
 * before they reach the session. BYE is answered here.
 */
import { Effect } from "effect"
import { getHeader, newTag } from "../sip/index.ts"
import type { ServerTransaction } from "../transaction/transaction-layer.ts"
import type { DialogContext } from "./dialog-context.ts"
import { ignoreFailure } from "./dialog-context.ts"
import { cseqOf, type Dialog, dialogKey, tagOf } from "./dialog-state.ts"
import { endDialog } from "./in-dialog-request.ts"
import { buildResponse } from "./message-builder.ts"
import { onIncomingInvite } from "./uas-invite.ts"

type Headers = ReadonlyArray<readonly [string, string]>

const answer = (ctx: DialogContext, transaction: ServerTransaction, status: number, headers: Headers = []) =>
  ignoreFailure(ctx.transactions.respond(transaction.id, buildResponse(ctx, transaction.request, status, { headers }, undefined, undefined)))

/** §15.1.2: BYE → 200; requests still pending on the dialog get 487; an unanswered INVITE too (the
 *  caller may BYE an early dialog, §15). */
const onBye = Effect.fnUntraced(function*(ctx: DialogContext, transaction: ServerTransaction, dialog: Dialog) {
  const invite = ctx.store.incoming.get(dialog.id)
  if (invite !== undefined) {
    ctx.store.removeIncoming(dialog.id)
    const terminated = buildResponse(ctx, invite.request, 487, undefined, invite.localTag, undefined)
    yield* ignoreFailure(ctx.transactions.respond(invite.transactionId, terminated))
  }
  for (const [requestId, pending] of ctx.store.requests) {
    if (pending.dialogId !== dialog.id) continue
    ctx.store.requests.delete(requestId)
    yield* ignoreFailure(ctx.transactions.respond(requestId, buildResponse(ctx, pending.request, 487, undefined, undefined, undefined)))
  }
  yield* answer(ctx, transaction, 200)
  yield* endDialog(ctx, dialog.id, "RemoteBye")
})

const retryAfter = (): Headers => [["Retry-After", String(Math.floor(Math.random() * 11))]]

const inDialog = Effect.fnUntraced(function*(ctx: DialogContext, transaction: ServerTransaction, toTag: string) {
  const { request, source } = transaction
  const dialogId = dialogKey(getHeader(request, "call-id") ?? "", toTag, tagOf(request, "from") ?? "")
  const dialog = ctx.store.dialogs.get(dialogId)
  // §12.2.2: a To-tag naming no dialog we know.
  if (dialog === undefined) return yield* answer(ctx, transaction, 481)
  const seq = cseqOf(request)?.seq
  if (seq === undefined) return yield* answer(ctx, transaction, 400)
  // §12.2.2: out of order.
  if (dialog.remoteSeq !== undefined && seq < dialog.remoteSeq) return yield* answer(ctx, transaction, 500)
  dialog.remoteSeq = seq
  const register = (kind: "reinvite" | "update" | "in-dialog") =>
    ctx.store.requests.set(transaction.id, { kind, request, dialogId, source, toTag: undefined })
  switch (request.method) {
    case "BYE":
      return yield* onBye(ctx, transaction, dialog)
    case "INVITE": {
      // §14.2: our INVITE in progress → 491; theirs still unanswered → 500 with Retry-After.
      if (dialog.invite === "outgoing") return yield* answer(ctx, transaction, 491)
      if (dialog.invite === "incoming") return yield* answer(ctx, transaction, 500, retryAfter())
      dialog.invite = "incoming"
      register("reinvite")
      return yield* ctx.emit({ _tag: "ReinviteReceived", dialogId: ctx.store.legOf(dialogId), requestId: transaction.id, request })
    }
    case "UPDATE":
      register("update")
      return yield* ctx.emit({ _tag: "ReinviteReceived", dialogId: ctx.store.legOf(dialogId), requestId: transaction.id, request })
    default:
      register("in-dialog")
      return yield* ctx.emit({ _tag: "InDialogRequest", dialogId: ctx.store.legOf(dialogId), requestId: transaction.id, request })
  }
})

export const onRequest = Effect.fnUntraced(function*(ctx: DialogContext, transaction: ServerTransaction) {
  const { request, source } = transaction
  const toTag = tagOf(request, "to")
  if (toTag !== undefined) return yield* inDialog(ctx, transaction, toTag)
  if (request.method === "INVITE") return yield* onIncomingInvite(ctx, transaction)
  // §8.2.6.2: a response outside a dialog still carries a To-tag, the same for every response.
  ctx.store.requests.set(transaction.id, { kind: "out-of-dialog", request, dialogId: undefined, source, toTag: newTag() })
  yield* ctx.emit({ _tag: "OutOfDialogRequest", requestId: transaction.id, request, source })
})
