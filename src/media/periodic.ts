/**
 * The slow timers of a session, on Effect's Clock: the RTCP report interval with its QualityReport
 * event (RFC 3550 §6.2, the 5 s minimum), and the media timeout (no RTP for mediaTimeoutMs).
 */
import { Effect } from "effect"
import { buildReport } from "./rtcp.ts"
import type { Send } from "./send-loop.ts"
import type { SessionState } from "./session-state.ts"
import { snapshot } from "./stats.ts"

/** §6.2: 5 s is the recommended minimum interval; a two-party call never needs the scaled one. */
export const RTCP_INTERVAL_MS = 5000

export const rtcpLoop = (state: SessionState, send: Send): Effect.Effect<never> =>
  Effect.gen(function*() {
    while (true) {
      yield* Effect.sleep(RTCP_INTERVAL_MS)
      if (state.media === undefined) continue
      yield* send(buildReport(state.rtcp, state.sender, state.receiver, state.now()))
      state.rtcp.reportsSent++
      if (state.started) state.emit({ _tag: "QualityReport", stats: snapshot(state.receiver, state.sender) })
    }
  })

/**
 * MediaTimeout once per silence: raised when RTP we expect has not arrived for `timeoutMs`, raised
 * again only after media came back and stopped again. Not raised while the peer holds us or we do not
 * receive (recvonly from their side), nor before `apply`.
 */
export const mediaTimeoutLoop = (state: SessionState, timeoutMs: number): Effect.Effect<void> =>
  timeoutMs <= 0 ? Effect.void : Effect.gen(function*() {
    while (true) {
      const silentFor = state.now() - state.lastReceivedMs
      if (silentFor < timeoutMs) {
        yield* Effect.sleep(timeoutMs - silentFor)
        continue
      }
      if (state.media !== undefined && state.expectsMedia && !state.timedOut) {
        state.timedOut = true
        state.emit({ _tag: "MediaTimeout", silentForMs: silentFor })
      }
      yield* Effect.sleep(timeoutMs)
    }
  })
