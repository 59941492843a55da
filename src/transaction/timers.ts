/**
 * The transaction timers of RFC 3261 §17 (Table 4) and RFC 6026 (Timers L and M), as durations derived
 * from T1/T2/T4. The state machines arm them in two slots per transaction (src/timers/slots.ts), on the
 * lanes of src/timers/timer-lanes.ts, which sleep on Effect's Clock, so tests drive every timer with TestClock.
 */
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
