/**
 * 2xx reliability at the UAS (RFC 3261 §13.3.1.4, RFC 6026 §7.1): the TU, not the transaction,
 * retransmits its 2xx to an INVITE at T1, doubling up to T2, until the ACK arrives; 64*T1 without an
 * ACK ends the dialog with a BYE.
 *
 * Every call needs this, and its ACK usually arrives a millisecond after the 200. So the timers are
 * entries on the layer's shared lanes (timer-lanes.ts), not a fiber per dialog: starting is two array
 * pushes, the ACK just drops both actions (no fork, no setTimeout, no interrupt per call).
 */
import { Effect } from "effect"
import type { SipResponse } from "../sip/message.ts"
import { cancelTimer } from "../transaction/timer-lanes.ts"
import type { Endpoint } from "../transport/transport.ts"
import { byeAndForget } from "./background-request.ts"
import type { DialogContext, TwoXxTimers } from "./dialog-context.ts"
import { ignoreFailure } from "./dialog-context.ts"

/** The ACK never came: forget the dialog, say so, and hang up (§13.3.1.4). Runs on the give-up lane;
 *  `emit` may wait for room in the events queue, holding back only later give-ups. */
const ackTimedOut = Effect.fnUntraced(function*(ctx: DialogContext, dialogId: string) {
  const dialog = ctx.store.removeDialog(dialogId)
  if (dialog === undefined) return
  dialog.awaitingAck = undefined
  yield* byeAndForget(ctx, dialog)
  yield* ctx.emit({ _tag: "DialogTerminated", dialogId, reason: "AckTimeout" })
})

const cancelBoth = (timers: TwoXxTimers): void => {
  if (timers.retransmit !== undefined) cancelTimer(timers.retransmit)
  if (timers.giveUp !== undefined) cancelTimer(timers.giveUp)
}

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
    if (previous !== undefined) cancelBoth(previous)
    const { t1, t2 } = ctx.timers
    const deadline = 64 * t1
    const timers: TwoXxTimers = { retransmit: undefined, giveUp: undefined }
    ctx.retransmits.set(dialogId, timers)

    const send = ignoreFailure(ctx.transactions.sendStateless(response, destination))
    // The copy due `interval` after `elapsed`, if it still comes before the deadline. Each copy arms the
    // next one before sending: a stop during the send then finds (and drops) the next one.
    const arm = (elapsed: number, interval: number): Effect.Effect<void> => {
      if (elapsed + interval >= deadline) return Effect.void
      const copy = Effect.suspend(() => Effect.andThen(arm(elapsed + interval, Math.min(interval * 2, t2)), send))
      return Effect.map(ctx.lanes.schedule(interval, copy), (entry) => {
        timers.retransmit = entry
      })
    }
    const giveUp = Effect.suspend(() => {
      if (ctx.retransmits.get(dialogId) === timers) ctx.retransmits.delete(dialogId)
      cancelBoth(timers)
      return ackTimedOut(ctx, dialogId)
    })
    return Effect.andThen(
      arm(0, t1),
      Effect.map(ctx.lanes.schedule(deadline, giveUp), (entry) => {
        timers.giveUp = entry
      })
    )
  }))

/** The ACK arrived or the dialog ended: no more copies, no give-up. */
export const stopRetransmitting = (ctx: DialogContext, dialogId: string): Effect.Effect<void> =>
  Effect.sync(() => {
    const timers = ctx.retransmits.get(dialogId)
    if (timers === undefined) return
    ctx.retransmits.delete(dialogId)
    cancelBoth(timers)
  })

/** The layer's scope is closing (its lanes stop with it): forget every pending retransmission. */
export const stopAllRetransmitting = (ctx: DialogContext): void => {
  for (const timers of ctx.retransmits.values()) cancelBoth(timers)
  ctx.retransmits.clear()
}
