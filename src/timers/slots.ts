/**
 * Two timer slots per transaction or dialog usage, on the timer lanes (timer-lanes.ts): arming one replaces
 * what it held, a retransmission timer re-arms itself at a growing interval. Shared by the transaction
 * layer's state machines and the dialog layer's 2xx retransmission.
 */
import { Effect } from "effect"
import { cancelTimer, type TimerEntry, type TimerLanes } from "./timer-lanes.ts"

/** Two timer slots: retransmission (A, E, G, 100 Trying) and expiry (B, D, F, H, I, J, K, L, M,
 *  the TU guard). At most one timer of each kind is live at a time. */
export interface TimerSlots {
  retransmit: TimerEntry | undefined
  expiry: TimerEntry | undefined
}

export type Slot = keyof TimerSlots

/**
 * Arms `slot` to run `action` after `ms` (replacing what it held); a zero timer (reliable transports)
 * runs now. When it fires it first vacates its slot, so the action may re-arm the slot or clear the
 * transaction's timers freely.
 */
export const arm = (
  lanes: TimerLanes,
  slots: TimerSlots,
  slot: Slot,
  ms: number,
  action: Effect.Effect<void>
): Effect.Effect<void> => {
  disarm(slots, slot)
  if (ms <= 0) return action
  let self: TimerEntry | undefined
  const fire = Effect.suspend(() => {
    if (slots[slot] === self) slots[slot] = undefined
    return action
  })
  return Effect.map(lanes.schedule(ms, fire), (entry) => {
    self = entry
    slots[slot] = entry
  })
}

/**
 * A retransmission timer (A, E, G): when it fires, `resend` sets the next interval and gives the copy to
 * send, or undefined once the transaction no longer retransmits; the copy says whether to go on, and the
 * timer re-arms itself at the transaction's new interval.
 */
export const armRetransmit = (
  lanes: TimerLanes,
  tx: TimerSlots & { readonly interval: number },
  resend: () => Effect.Effect<boolean> | undefined
): Effect.Effect<void> =>
  arm(
    lanes,
    tx,
    "retransmit",
    tx.interval,
    Effect.suspend(() => {
      const copy = resend()
      return copy === undefined ? Effect.void : Effect.flatMap(copy, (again) => (again ? armRetransmit(lanes, tx, resend) : Effect.void))
    })
  )

export const disarm = (slots: TimerSlots, slot: Slot): void => {
  const entry = slots[slot]
  if (entry !== undefined) {
    slots[slot] = undefined
    cancelTimer(entry)
  }
}

export const disarmAll = (slots: TimerSlots): void => {
  disarm(slots, "retransmit")
  disarm(slots, "expiry")
}
