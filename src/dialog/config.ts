/**
 * The dialog layer's configuration: where our Contact and Via point, what we call ourselves, timer overrides.
 */
import { defaultTimers, type TimerConfig } from "../transaction/config.ts"

export interface DialogConfig {
  /** The host our Contact and Via name (an address peers can reach). */
  readonly contactHost: string
  readonly userAgent?: string
  /** T1/T2/T4 overrides, as for the TransactionLayer below (defaults: 500 ms, 4 s, 5 s). */
  readonly timers?: Partial<TimerConfig>
  /** RFC 3262: which 18x go reliably to a caller that supports 100rel (one that requires it gets every
   *  18x reliably): "all" (default) or only those with a body ("sdp"). */
  readonly reliableProvisionals?: "all" | "sdp"
}

export interface DialogLayerConfig extends DialogConfig {
  /** Bound of the events queue towards the session (backpressure when full); default 1024. */
  readonly eventCapacity?: number
}

export const resolveTimers = (config: DialogConfig): TimerConfig => ({ ...defaultTimers, ...config.timers })
