/**
 * The transaction timers of RFC 3261 §17 (Table 4) and RFC 6026 (Timers L and M), as durations derived
 * from T1/T2/T4, and the two-slot arming helper every state machine uses. Timers run on the lanes of
 * timer-lanes.ts, which sleep on Effect's Clock, so tests drive every timer with TestClock.
 */
import { Effect } from "effect"
import { cancelTimer, type TimerEntry, type TimerLanes } from "./timer-lanes.ts"
import { defaultTimers, type TimerConfig } from "./config.ts"

/** Timer values for one transaction. `reliable` (TCP) drops the retransmission timers and the wait
 *  timers that only absorb retransmissions (§17.1.1.2, §17.1.2.2, §17.2.1, §17.2.2). */
export interface TimerValues {
  readonly t1: number
  readonly t2: number
  readonly t4: number
  /** 64*T1: Timers B, F, H, J (unreliable), L and M. */
  readonly timeout: number
}

export const resolveTimers = (partial?: Partial<TimerConfig>): TimerValues => {
  const t1 = partial?.t1 ?? defaultTimers.t1
  const t2 = partial?.t2 ?? defaultTimers.t2
  const t4 = partial?.t4 ?? defaultTimers.t4
  return { t1, t2, t4, timeout: 64 * t1 }
}

/** Timer D: wait for response retransmissions after a non-2xx final. "At least 32 s" for UDP, which
 *  is 64*T1 at the default T1; scaled with T1 so that a shorter T1 in tests shortens it too. */
export const timerD = (t: TimerValues, reliable: boolean): number => reliable ? 0 : t.timeout

/** Timer I (INVITE server, Confirmed) is T4 for UDP, 0 for TCP. */
export const timerI = (t: TimerValues, reliable: boolean): number => reliable ? 0 : t.t4

/** Timer J (non-INVITE server, Completed) is 64*T1 for UDP, 0 for TCP. */
export const timerJ = (t: TimerValues, reliable: boolean): number => reliable ? 0 : t.timeout

/** Timer K (non-INVITE client, Completed) is T4 for UDP, 0 for TCP. */
export const timerK = (t: TimerValues, reliable: boolean): number => reliable ? 0 : t.t4

/** §17.2.1: 100 Trying if the TU has not answered an INVITE within 200 ms. */
export const TRYING_DELAY = 200

/**
 * How long a server transaction waits for the TU's final response before the layer gives up for it:
 * 64*T1 for non-INVITE (the client's Timer F has fired by then), 3 minutes for INVITE (ringing may
 * legitimately last; the value of a proxy's Timer C, §16.6 step 11). See server-common.ts.
 */
export const tuGuard = (t: TimerValues, invite: boolean): number => invite ? Math.max(180_000, t.timeout) : t.timeout

/** Two timer slots per transaction: retransmission (A, E, G, 100 Trying) and expiry (B, D, F, H, I, J, K, L, M,
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
