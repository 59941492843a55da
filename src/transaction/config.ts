/**
 * The TransactionLayer's configuration: the base timer values of RFC 3261 §17.1.1.1 and their defaults.
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
