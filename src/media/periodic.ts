/**
 * The slow jobs of a session's media clock (media-clock.ts runs them on the call's one fiber): the RTCP
 * report with its QualityReport event (RFC 3550 §6.2, the 5 s minimum interval), and the media timeout
 * (no RTP for mediaTimeoutMs).
 */
import { Effect } from "effect"
import { buildReport } from "./rtcp.ts"
import type { Send } from "./send-loop.ts"
import type { SessionState } from "./session-state.ts"
import { snapshot } from "./stats.ts"

/** One SR or RR (nothing before `apply`), and the QualityReport once media has started. */
export const report = (state: SessionState, send: Send): Effect.Effect<void> =>
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
export const checkTimeout = (state: SessionState, timeoutMs: number, now: number): number => {
  const silentFor = now - state.lastReceivedMs
  if (silentFor < timeoutMs) return state.lastReceivedMs + timeoutMs
  if (state.media !== undefined && state.expectsMedia && !state.timedOut) {
    state.timedOut = true
    state.emit({ _tag: "MediaTimeout", silentForMs: silentFor })
  }
  return now + timeoutMs
}
