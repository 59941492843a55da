/**
 * The slow timers of a session, on Effect's Clock and on one fiber (a fiber each cost every call two
 * forks and two interruptions): the RTCP report interval with its QualityReport event (RFC 3550 §6.2, the
 * 5 s minimum), and the media timeout (no RTP for mediaTimeoutMs).
 */
import { Effect } from "effect"
import { buildReport } from "./rtcp.ts"
import type { Send } from "./send-loop.ts"
import type { SessionState } from "./session-state.ts"
import { snapshot } from "./stats.ts"

/** §6.2: 5 s is the recommended minimum interval; a two-party call never needs the scaled one. */
export const RTCP_INTERVAL_MS = 5000

const report = (state: SessionState, send: Send): Effect.Effect<void> =>
  Effect.suspend(() => {
    if (state.media === undefined) return Effect.void
    return Effect.map(send(buildReport(state.rtcp, state.sender, state.receiver, state.now())), () => {
      state.rtcp.reportsSent++
      if (state.started) state.emit({ _tag: "QualityReport", stats: snapshot(state.receiver, state.sender) })
    })
  })

/**
 * MediaTimeout once per silence: raised when RTP we expect has not arrived for `timeoutMs`, raised again
 * only after media came back and stopped again. Not raised while the peer holds us or we do not receive
 * (recvonly from their side), nor before `apply`. Returns when to check next.
 */
const checkTimeout = (state: SessionState, timeoutMs: number, now: number): number => {
  const silentFor = now - state.lastReceivedMs
  if (silentFor < timeoutMs) return state.lastReceivedMs + timeoutMs
  if (state.media !== undefined && state.expectsMedia && !state.timedOut) {
    state.timedOut = true
    state.emit({ _tag: "MediaTimeout", silentForMs: silentFor })
  }
  return now + timeoutMs
}

/** Reports every RTCP_INTERVAL_MS and, when `timeoutMs` > 0, the media timeout, until interrupted. */
export const periodicLoop = (state: SessionState, send: Send, timeoutMs: number): Effect.Effect<never> =>
  Effect.gen(function*() {
    let nextReport = state.now() + RTCP_INTERVAL_MS
    let nextCheck = timeoutMs > 0 ? state.lastReceivedMs + timeoutMs : Infinity
    while (true) {
      const wait = Math.min(nextReport, nextCheck) - state.now()
      if (wait > 0) yield* Effect.sleep(wait)
      const now = state.now()
      if (now >= nextCheck) nextCheck = checkTimeout(state, timeoutMs, now)
      if (now >= nextReport) {
        yield* report(state, send)
        nextReport = state.now() + RTCP_INTERVAL_MS
      }
    }
  })
