/**
 * Overload protection (RFC 3261 §21.5.4; the local, loss-based control of RFC 6357 §4 and RFC 7339): while the
 * event loop stays saturated, part of the new dialog-creating INVITEs are answered 503 Service Unavailable
 * with Retry-After by their own server transaction, and never reach the TU.
 *
 * Why: past its capacity a UDP server does not queue, the kernel drops datagrams from the socket buffer. UACs
 * retransmit, calls they already gave up on keep costing (their 2xx is retransmitted for 32 s), and the load
 * feeds itself: a cold server offered 2,000 calls/s kept its event loop 100 % busy for 25 s and completed 28 %
 * of the calls. A 503 costs a fraction of a call, so turning the excess away keeps the admitted calls in time.
 * In-dialog requests (BYE, re-INVITE), CANCEL, ACK and responses are never shed: they finish admitted work.
 *
 * The signal is the event loop's utilization (the share of a window it was not idle waiting for I/O), over
 * windows of `windowMs` sampled as new INVITEs arrive. Two saturated windows in a row halve the share of new
 * INVITEs admitted, down to 1/16 (a single one is a GC pause or a burst, not overload); each calm window adds
 * a quarter back.
 */
import { Context, Effect } from "effect"
import { performance } from "node:perf_hooks"
import { hasTag } from "../sip/builders.ts"
import { getHeader, makeResponse } from "../sip/index.ts"
import type { LayerContext, ServerTx } from "./context.ts"
import { respondInvite } from "./invite-server.ts"

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
const sample = (state: OverloadState, now: number): string | undefined => {
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

const notShed = Effect.succeed(false)

const isNewDialog = (tx: ServerTx): boolean => {
  const to = getHeader(tx.request, "to")
  return to === undefined || !hasTag(to)
}

/** For a new INVITE transaction: true when overload protection answered it 503 (the TU is not to see it).
 *  Its retransmissions and ACK are then absorbed like any other non-2xx final's (§17.2.1). */
export const shedOnOverload = (ctx: LayerContext, tx: ServerTx): Effect.Effect<boolean> => {
  const state = ctx.overload
  if (state.config.maxUtilization <= 0) return notShed
  const transition = sample(state, ctx.now())
  const log = transition === undefined ? Effect.void : Effect.logWarning(transition)
  const admit = transition === undefined ? notShed : Effect.as(log, false)
  if (state.admitted === 1 || !isNewDialog(tx)) return admit
  state.credit += state.admitted
  if (state.credit >= 1) {
    state.credit -= 1
    return admit
  }
  state.shed++
  state.shedThisEpisode++
  const base = state.config.retryAfterSeconds
  const retryAfter = base + Math.floor(Math.random() * (base + 1))
  const response = makeResponse(tx.request, 503, undefined, { headers: [["Retry-After", String(retryAfter)]] })
  return log.pipe(
    Effect.andThen(respondInvite(ctx, tx, response)),
    Effect.catch((error) => Effect.logDebug(`overload: the 503 to ${tx.request.uri} was not sent: ${error.message}`)),
    Effect.as(true)
  )
}
