/**
 * Media events of one call, told to the application as SessionEvents. A call whose media stopped
 * arriving (and that is not on hold) times out: the call machine ends it with BYE.
 */
import { Effect, type Scope, Stream } from "effect"
import type { MediaSession } from "../media/media-engine.ts"
import type { CoordinatorContext } from "./context.ts"
import { publish } from "./context.ts"
import type { SessionRecord } from "./session-record.ts"
import { react } from "./call-actions.ts"

const runEvents = (ctx: CoordinatorContext, record: SessionRecord, media: MediaSession) =>
  Stream.runForEach(media.events, (event) => {
    switch (event._tag) {
      case "DtmfReceived":
        return Effect.andThen(
          Effect.logInfo("dtmf", { session: record.id, digit: event.digit }),
          publish(ctx, { _tag: "DtmfReceived", sessionId: record.id, digit: event.digit, durationMs: event.durationMs, source: "rfc4733" })
        )
      case "QualityReport":
        return publish(ctx, { _tag: "QualityReport", sessionId: record.id, stats: event.stats })
      case "MediaTimeout":
        // No RTP where RTP should flow. On hold silence is expected: silence.ts bounds that with SIP too.
        return record.call.state === "Active"
          ? react(ctx, record, { _tag: "Timeout", what: "media" })
          : Effect.void
      case "MediaStarted":
        return Effect.void
    }
  })

/**
 * Watches the call's media events in a fiber owned by `scope`. Why lazily: most calls under load end
 * before their media says anything, and a fiber (with its scope finalizer and stream pull) per call cost
 * ~5% of the server's CPU per call. So the fiber starts with the first event, in this fiber's context.
 */
export const watchMedia = Effect.fnUntraced(function*(
  ctx: CoordinatorContext,
  record: SessionRecord,
  media: MediaSession,
  scope: Scope.Scope
) {
  const watch = runEvents(ctx, record, media).pipe(Effect.forkIn(scope), Effect.asVoid)
  if (media.onFirstEvent === undefined) return yield* watch
  const context = yield* Effect.context<never>()
  media.onFirstEvent(() => {
    Effect.runForkWith(context)(watch)
  })
})
