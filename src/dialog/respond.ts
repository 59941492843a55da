/**
 * Answers the session gives to requests reported with a `requestId` (§12.2.2, §14.2): in-dialog
 * responses keep the dialog's To-tag, target refreshes carry our Contact and update the remote target,
 * and the 2xx to a re-INVITE is retransmitted until its ACK like any 2xx (§13.3.1.4).
 */
import { Effect } from "effect"
import { ProtocolError } from "../errors.ts"
import type { ResponseOptions } from "./dialog-layer.ts"
import type { DialogContext } from "./context.ts"
import { cseqOf } from "../sip/index.ts"
import { contactUri } from "./dialog-state.ts"
import { buildResponse, isTargetRefresh } from "./message-builder.ts"
import { startRetransmitting } from "./two-xx-retransmit.ts"
import { accept, provisional, reject } from "./uas-invite.ts"

export const respond = Effect.fnUntraced(function*(
  ctx: DialogContext,
  requestId: string,
  status: number,
  options?: ResponseOptions
) {
  // The initial INVITE's requestId: the same as provisional / accept / reject on its dialog.
  const inviteDialog = ctx.store.incomingByTransaction.get(requestId)
  if (inviteDialog !== undefined) {
    return yield* status < 200
      ? provisional(ctx, inviteDialog, status, options)
      : status < 300
      ? accept(ctx, inviteDialog, options)
      : reject(ctx, inviteDialog, status, options)
  }
  const pending = ctx.store.requests.get(requestId)
  if (pending === undefined) {
    return yield* new ProtocolError({ reason: "NoSuchTransaction", message: `no request ${requestId} awaits an answer` })
  }
  const { request } = pending
  const dialog = ctx.store.dialogs.get(pending.dialogId)
  const refresh = dialog !== undefined && isTargetRefresh(request.method)
  const response = buildResponse(ctx, request, status, { options, contact: refresh ? dialog.local : undefined, toTag: pending.toTag })
  if (status >= 200) {
    ctx.store.requests.delete(requestId)
    if (dialog !== undefined && pending.kind === "reinvite") dialog.invite = "none"
  }
  yield* ctx.transactions.respond(requestId, response)
  if (dialog === undefined || status < 200 || status >= 300) return
  // §12.2.2: a 2xx to a target refresh request takes the peer's new Contact.
  if (refresh) dialog.remoteTarget = contactUri(request) ?? dialog.remoteTarget
  if (pending.kind === "reinvite") {
    dialog.awaitingAck = { seq: cseqOf(request)?.seq ?? 0 }
    yield* startRetransmitting(ctx, dialog.id, response, pending.source)
  }
})
