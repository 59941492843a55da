/**
 * 2xx reliability at the UAS (RFC 3261 §13.3.1.4, RFC 6026 §7.1): the TU, not the transaction,
 * retransmits its 2xx to an INVITE at T1, doubling up to T2, until the ACK arrives; 64*T1 without an
 * ACK ends the dialog with a BYE.
 */
import { Effect, FiberMap } from "effect"
import type { SipResponse } from "../sip/message.ts"
import type { Endpoint } from "../transport/transport.ts"
import { byeAndForget } from "./background-request.ts"
import type { DialogContext } from "./dialog-context.ts"
import { ignoreFailure } from "./dialog-context.ts"

/** The ACK never came: forget the dialog, say so, and hang up (§13.3.1.4). Runs inside the dialog's
 *  retransmission fiber, so it must not interrupt that fiber. */
const ackTimedOut = Effect.fnUntraced(function*(ctx: DialogContext, dialogId: string) {
  const dialog = ctx.store.removeDialog(dialogId)
  if (dialog === undefined) return
  dialog.awaitingAck = undefined
  yield* byeAndForget(ctx, dialog)
  yield* ctx.emit({ _tag: "DialogTerminated", dialogId, reason: "AckTimeout" })
})

const retransmitLoop = Effect.fnUntraced(function*(
  ctx: DialogContext,
  dialogId: string,
  response: SipResponse,
  destination: Endpoint
) {
  const { t1, t2 } = ctx.timers
  const deadline = 64 * t1
  let elapsed = 0
  let interval = t1
  while (elapsed + interval < deadline) {
    yield* Effect.sleep(interval)
    elapsed += interval
    yield* ignoreFailure(ctx.transactions.sendStateless(response, destination))
    interval = Math.min(interval * 2, t2)
  }
  yield* Effect.sleep(deadline - elapsed)
  yield* ackTimedOut(ctx, dialogId)
})

/** Start (or restart, for a re-INVITE) the retransmission of `response` on the dialog. The first copy
 *  has already been sent through the server transaction. */
export const startRetransmitting = (
  ctx: DialogContext,
  dialogId: string,
  response: SipResponse,
  destination: Endpoint
): Effect.Effect<void> =>
  FiberMap.run(ctx.retransmits, dialogId, retransmitLoop(ctx, dialogId, response, destination)).pipe(Effect.asVoid)

/** The ACK arrived or the dialog ended: no more copies. */
export const stopRetransmitting = (ctx: DialogContext, dialogId: string): Effect.Effect<void> =>
  FiberMap.remove(ctx.retransmits, dialogId)
