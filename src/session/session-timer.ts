/**
 * The session timer of one call (RFC 4028), when negotiated: the refresher sends a refresh at half the
 * interval (UPDATE without a body when the peer allows it, else a re-INVITE with our current offer); the
 * other side BYEs when the session expires unrefreshed (at the interval minus min(32 s, a third), §10).
 * Any refresh from the peer re-arms it. One fiber per call that has a timer, in the call's scope.
 */
import { Effect, Fiber } from "effect"
import { sessionExpiresHeader, refreshHeaders, type SessionTimer } from "./session-timer-rules.ts"
import type { CoordinatorContext } from "./context.ts"
import { hangUp, reoffer } from "./in-call.ts"
import type { SessionRecord } from "./session-record.ts"

/** Our refresh; true when the peer's 2xx refreshed the session (its Session-Expires, if any, taken). */
const refresh = Effect.fnUntraced(function*(ctx: CoordinatorContext, record: SessionRecord, timer: SessionTimer) {
  const headers = refreshHeaders(timer.interval, "uac")
  if (!timer.byUpdate) {
    return yield* reoffer(ctx, record, "Update", "INVITE", headers).pipe(Effect.as(true), Effect.catch(() => Effect.succeed(false)))
  }
  const response = yield* ctx.dialog.request(record.legId, "UPDATE", { headers }).pipe(Effect.option)
  if (response._tag === "None" || response.value.status >= 300) return false
  const granted = sessionExpiresHeader(response.value)
  if (granted !== undefined) record.sessionTimer = { ...timer, interval: granted.delta }
  return true
})

const run = Effect.fnUntraced(function*(ctx: CoordinatorContext, record: SessionRecord) {
  for (;;) {
    const timer = record.sessionTimer
    if (timer === undefined) return
    if (timer.refresher === "local") {
      yield* Effect.sleep(timer.interval * 500)
      if (yield* refresh(ctx, record, timer)) continue
      // Unrefreshed, the session lasts to its expiry.
      yield* Effect.sleep(timer.interval * 500)
    } else {
      yield* Effect.sleep((timer.interval - Math.min(32, timer.interval / 3)) * 1000)
    }
    yield* Effect.logInfo("session expired", { session: record.id, callId: record.callId })
    return yield* hangUp(ctx, record, { _tag: "SessionExpired" }).pipe(Effect.ignore)
  }
})

/** Start (or restart, after the peer's refresh) the call's timer, if it has one. */
export const armSessionTimer = Effect.fnUntraced(function*(ctx: CoordinatorContext, record: SessionRecord) {
  if (record.sessionTimer === undefined) return
  const previous = record.sessionTimerFiber
  record.sessionTimerFiber = undefined
  if (previous !== undefined) yield* Fiber.interrupt(previous)
  record.sessionTimerFiber = yield* run(ctx, record).pipe(Effect.forkIn(record.scope))
})
