/**
 * Media events of one call, told to the application as SessionEvents. A call whose media stopped
 * arriving (and that is not on hold) is ended with BYE.
 */
import { Effect, Stream } from "effect"
import type { MediaSession } from "../media/media-engine.ts"
import type { CoordinatorContext } from "./coordinator-context.ts"
import { publish } from "./coordinator-context.ts"
import type { SessionRecord } from "./session-record.ts"
import { hangUp } from "./in-call.ts"

export const watchMedia = (ctx: CoordinatorContext, record: SessionRecord, media: MediaSession) =>
  Stream.runForEach(media.events, (event) => {
    switch (event._tag) {
      case "DtmfReceived":
        return Effect.andThen(
          Effect.logInfo("dtmf", { session: record.id, digit: event.digit }),
          publish(ctx, { _tag: "DtmfReceived", sessionId: record.id, digit: event.digit, durationMs: event.durationMs })
        )
      case "QualityReport":
        return publish(ctx, { _tag: "QualityReport", sessionId: record.id, stats: event.stats })
      case "MediaTimeout":
        return record.state === "Active"
          ? hangUp(ctx, record, { _tag: "TimedOut", what: "media" }).pipe(Effect.ignore)
          : Effect.void
      case "MediaStarted":
        return Effect.void
    }
  })
