/**
 * Every call has an upper bound on silence: no SIP and no RTP for `mediaTimeoutMs` ends it (BYE when
 * answered, TimedOut "media"), whether its media ever started or not. The MediaEngine's own timeout
 * only watches RTP once media flows; this covers the rest (unanswered, held, media-less calls).
 *
 * One sweeper for all calls, not a timer per call: under load most calls end long before a sweep,
 * and a fiber per call was measured at ~5% of the server's CPU (see media-watch.ts).
 */
import { Effect } from "effect"
import { react } from "./call-actions.ts"
import type { CoordinatorContext } from "./context.ts"
import type { SessionRecord } from "./session-record.ts"

/** Did the call hear anything since the last look? RTP counts as heard when more packets arrived. */
const silentSince = Effect.fnUntraced(function*(record: SessionRecord, now: number) {
  if (record.media !== undefined && record.call.media === "Flowing") {
    const { packetsReceived } = yield* record.media.stats
    if (packetsReceived !== record.packetsHeard) {
      record.packetsHeard = packetsReceived
      record.heardAt = now
    }
  }
  return record.heardAt
})

const sweep = Effect.fnUntraced(function*(ctx: CoordinatorContext, limit: number) {
  const now = ctx.clock.currentTimeMillisUnsafe()
  for (const record of ctx.registry.all()) {
    if (record.call.state === "Terminating" || now - (yield* silentSince(record, now)) < limit) continue
    yield* Effect.logInfo("call silent", { session: record.id, silentForMs: now - record.heardAt })
    // Detached: a BYE waits for its answer, and the sweep must not.
    yield* Effect.forkDetach(react(ctx, record, { _tag: "Timeout", what: "media" }))
  }
})

/** Start the sweeper in the coordinator's scope; a call is ended at most `limit` + a quarter late. */
export const watchSilence = (ctx: CoordinatorContext) => {
  const limit = ctx.config.mediaTimeoutMs ?? 0
  if (limit <= 0) return Effect.void
  const every = Math.max(Math.floor(limit / 4), 1)
  return Effect.forever(Effect.andThen(Effect.sleep(every), sweep(ctx, limit))).pipe(Effect.forkScoped, Effect.asVoid)
}
