/**
 * Admission control for overload protection (overload.ts): how many new INVITEs get in.
 *
 * The signal is the event loop's utilization (the share of a window it was not idle waiting for I/O), over
 * windows of `windowMs` sampled as new INVITEs arrive. Two saturated windows in a row halve the share of new
 * INVITEs admitted, down to 1/16 (a single one is a GC pause or a burst, not overload); each calm window adds
 * a quarter back.
 */
import { Context } from "effect"
import { performance } from "node:perf_hooks"
import type { OverloadConfig } from "./config.ts"

/** A factory of probes; each probe returns the event loop's utilization (0–1) since its previous call. */
export type LoadProbe = () => () => number

const eventLoopProbe: LoadProbe = () => {
  let last = performance.eventLoopUtilization()
  return () => {
    const now = performance.eventLoopUtilization()
    const utilization = performance.eventLoopUtilization(now, last).utilization
    last = now
    return utilization
  }
}

/** Where utilization comes from: Node's `performance.eventLoopUtilization` unless a test provides its own. */
export const LoadProbe = Context.Reference<LoadProbe>("effect-sip/transaction/LoadProbe", {
  defaultValue: () => eventLoopProbe
})

// Powers of two: the admitted share and the credit stay exact in binary floating point.
const MIN_ADMITTED = 1 / 16
const RECOVERY_STEP = 1 / 4

export interface OverloadState {
  readonly config: OverloadConfig
  readonly probe: () => number
  /** Share of new INVITEs admitted, 1 when not overloaded. */
  admitted: number
  /** Saturated windows in a row. */
  saturated: number
  /** Admission credit: each new INVITE adds `admitted`, and one is admitted per whole credit, so the admitted
   *  ones are spread evenly (every other one at 0.5). */
  credit: number
  windowStart: number
  /** New INVITEs answered 503 since the layer started, and since shedding last began. */
  shed: number
  shedThisEpisode: number
}

export const makeOverloadState = (config: OverloadConfig, probe: () => number, now: number): OverloadState => ({
  config,
  probe,
  admitted: 1,
  saturated: 0,
  credit: 0,
  windowStart: now,
  shed: 0,
  shedThisEpisode: 0
})

/** Ends the current window if it has run its length; returns a line to log when shedding begins or ends. */
export const sample = (state: OverloadState, now: number): string | undefined => {
  if (now - state.windowStart < state.config.windowMs) return undefined
  const utilization = state.probe()
  const before = state.admitted
  state.windowStart = now
  if (utilization >= state.config.maxUtilization) {
    state.saturated++
    if (state.saturated >= 2) state.admitted = Math.max(MIN_ADMITTED, state.admitted / 2)
  } else {
    state.saturated = 0
    state.admitted = Math.min(1, state.admitted + RECOVERY_STEP)
  }
  const percent = (x: number) => `${Math.round(100 * x)} %`
  if (before === 1 && state.admitted < 1) {
    return `overload: event loop ${percent(utilization)} busy; admitting ${percent(state.admitted)} of new calls, ` +
      `503 to the rest`
  }
  if (before < 1 && state.admitted === 1) {
    const shed = state.shedThisEpisode
    state.shedThisEpisode = 0
    return `overload over: admitting every new call again (${shed} answered 503)`
  }
  return undefined
}
