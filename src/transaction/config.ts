/**
 * The TransactionLayer's configuration: the base timer values of RFC 3261 §17.1.1.1, overload protection
 * (overload.ts), and their defaults.
 */

export interface TimerConfig {
  /** RTT estimate, default 500 ms. */
  readonly t1: number
  /** Maximum retransmit interval for non-INVITE requests and INVITE responses, default 4 s. */
  readonly t2: number
  /** Maximum time a message stays in the network, default 5 s. */
  readonly t4: number
}

export const defaultTimers: TimerConfig = { t1: 500, t2: 4000, t4: 5000 }

export interface OverloadConfig {
  /** Event-loop utilization (0–1) at or above which a window counts as saturated; 0 turns protection off. */
  readonly maxUtilization: number
  /** Length of a sampling window, ms. */
  readonly windowMs: number
  /** Retry-After of the 503 (seconds); each answer adds up to as much again at random, so that callers turned
   *  away together do not all come back at once. */
  readonly retryAfterSeconds: number
}

export const noOverloadProtection: OverloadConfig = { maxUtilization: 0, windowMs: 500, retryAfterSeconds: 2 }
