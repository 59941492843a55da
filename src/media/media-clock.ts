/**
 * A session's one fiber: generated audio every ptime, the RTCP report at its interval and the
 * media-timeout check, slept to the earliest due time on Effect's Clock (so TestClock drives it).
 * One fiber for all three, and none until `apply` (before it nothing is sent or timed out), because
 * under a call-rate load (1,000+ short calls a second) every fork, timer and interruption per call is
 * measurable CPU: a normal call forks exactly this fiber. It is replaced only when whether we generate
 * audio changes (hold/resume, to or from echo), the rare path.
 */
import { Effect, Fiber, type Scope } from "effect"
import { checkTimeout, report } from "./periodic.ts"
import { RTCP_INTERVAL_MS } from "./rtcp.ts"
import { nextFrame, type Send } from "./send-loop.ts"
import type { SessionState } from "./session-state.ts"

/** We send generated audio: we may send, the source is not echo, and a G.711 law can encode it. Mute
 *  does not change it (muted frames are silence, on the same cadence). */
const generating = (state: SessionState): boolean =>
  state.canSend && state.source._tag !== "Echo" && state.law !== undefined

/**
 * Frames: the first one ptime after the clock starts generating, then on a fixed grid (deadlines, not
 * sleeps of ptime, so processing time does not drift the rate); after a long stall (GC, overload) the
 * grid restarts from now rather than sending a burst. Report and check keep their due times in `state`.
 */
const run = Effect.fnUntraced(function*(state: SessionState, sendRtp: Send, sendRtcp: Send, generate: boolean) {
  let deadline = generate ? state.now() + state.ptime : Infinity
  while (true) {
    const due = Math.min(deadline, state.nextReportMs, state.nextCheckMs)
    const wait = due - state.now()
    if (wait > 0) yield* Effect.sleep(wait)
    const now = state.now()
    // What we slept for is due even if the timer fired a millisecond early.
    const at = Math.max(now, due)
    if (at >= deadline) {
      if (now - deadline > 5 * state.ptime) deadline = now
      const packet = nextFrame(state, now)
      if (packet !== undefined) yield* sendRtp(packet)
      deadline += state.ptime
    }
    if (at >= state.nextCheckMs) state.nextCheckMs = checkTimeout(state, state.mediaTimeoutMs, now)
    if (at >= state.nextReportMs) {
      yield* report(state, sendRtcp)
      state.nextReportMs = state.now() + RTCP_INTERVAL_MS
    }
  }
})

/**
 * Starts the clock once media is applied, and replaces it when the generating decision changes (the new
 * fiber is in place before the old one is interrupted, so a concurrent call sees a consistent state).
 */
export const reconcileClock = (state: SessionState, sendRtp: Send, sendRtcp: Send, scope: Scope.Scope): Effect.Effect<void> =>
  Effect.suspend(() => {
    if (state.media === undefined) return Effect.void
    const generate = generating(state)
    const previous = state.clockFiber
    if (previous !== undefined && state.clockGenerating === generate) return Effect.void
    if (previous === undefined) {
      // Report times that passed before `apply` sent nothing then; keep the phase from the session's start.
      while (state.nextReportMs <= state.now()) state.nextReportMs += RTCP_INTERVAL_MS
    }
    state.clockGenerating = generate
    return Effect.flatMap(Effect.forkIn(run(state, sendRtp, sendRtcp, generate), scope), (fiber) => {
      state.clockFiber = fiber
      return previous === undefined ? Effect.void : Fiber.interrupt(previous)
    })
  })
