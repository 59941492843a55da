/**
 * 2xx reliability at the UAS (RFC 3261 §13.3.1.4, RFC 6026 §7.1): the TU, not the transaction,
 * retransmits its 2xx to an INVITE at T1, doubling up to T2, until the ACK arrives; 64*T1 without an
 * ACK ends the dialog with a BYE.
 *
 * Every call needs this, and its ACK usually arrives a millisecond after the 200. So the timers are the
 * transaction layer's two-slot timers (transaction/timers.ts) on the dialog layer's own lanes, not a fiber
 * per dialog: starting is two array pushes, the ACK just drops both (no fork, no setTimeout, no interrupt).
 */
import { Effect } from "effect"
import type { SipResponse } from "../sip/message.ts"
import { arm, armRetransmit, disarmAll } from "../timers/slots.ts"
import type { Endpoint } from "../transport/transport.ts"
import { byeAndForget } from "./background-request.ts"
import type { DialogContext, TwoXxTimers } from "./context.ts"
import { ignoreFailure } from "./context.ts"

/** The ACK never came: forget the dialog, say so, and hang up (§13.3.1.4). Runs on the give-up lane;
 *  `emit` may wait for room in the events queue, holding back only later give-ups. */
const ackTimedOut = Effect.fnUntraced(function*(ctx: DialogContext, dialogId: string) {
  const legId = ctx.store.legOf(dialogId)
  const dialog = ctx.store.removeDialog(dialogId)
  if (dialog === undefined) return
  dialog.awaitingAck = undefined
  yield* byeAndForget(ctx, dialog)
  yield* ctx.emit({ _tag: "DialogTerminated", dialogId: legId, reason: "AckTimeout" })
})

/** Start (or restart, for a re-INVITE) the retransmission of `response` on the dialog. The first copy
 *  has already been sent through the server transaction. */
export const startRetransmitting = (
  ctx: DialogContext,
  dialogId: string,
  response: SipResponse,
  destination: Endpoint
): Effect.Effect<void> =>
  // Uninterruptible: the map entry never exists without its give-up timer.
  Effect.uninterruptible(Effect.suspend(() => {
    const previous = ctx.retransmits.get(dialogId)
    if (previous !== undefined) disarmAll(previous)
    const { t1, t2 } = ctx.timers
    const deadline = 64 * t1
    const timers: TwoXxTimers = { retransmit: undefined, expiry: undefined, interval: t1, elapsed: 0 }
    ctx.retransmits.set(dialogId, timers)

    const send = ignoreFailure(ctx.transactions.sendStateless(response, destination))
    // Each copy: T1, doubling up to T2, while the next one still comes before the give-up.
    const copies = armRetransmit(ctx.lanes, timers, () => {
      if (ctx.retransmits.get(dialogId) !== timers) return undefined // stopped (or restarted) meanwhile
      timers.elapsed += timers.interval
      timers.interval = Math.min(timers.interval * 2, t2)
      return Effect.as(send, timers.elapsed + timers.interval < deadline)
    })
    const giveUp = Effect.suspend(() => {
      if (ctx.retransmits.get(dialogId) === timers) ctx.retransmits.delete(dialogId)
      disarmAll(timers)
      return ackTimedOut(ctx, dialogId)
    })
    return Effect.andThen(copies, arm(ctx.lanes, timers, "expiry", deadline, giveUp))
  }))

/** The ACK arrived or the dialog ended: no more copies, no give-up. */
export const stopRetransmitting = (ctx: DialogContext, dialogId: string): Effect.Effect<void> =>
  Effect.sync(() => {
    const timers = ctx.retransmits.get(dialogId)
    if (timers === undefined) return
    ctx.retransmits.delete(dialogId)
    disarmAll(timers)
  })

/** The layer's scope is closing (its lanes stop with it): forget every pending retransmission. */
export const stopAllRetransmitting = (ctx: DialogContext): void => {
  for (const timers of ctx.retransmits.values()) disarmAll(timers)
  ctx.retransmits.clear()
}
