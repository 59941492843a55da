/**
 * What every piece of the coordinator shares: the layers below, the registry, the event hub, and the
 * one way a call is released.
 */
import { type Clock, Deferred, Effect, Exit, PubSub, Scope } from "effect"
import type { DialogLayer } from "../dialog/dialog-layer.ts"
import type { NetworkError } from "../errors.ts"
import type { MediaEngine } from "../media/media-engine.ts"
import type { Endpoint } from "../transport/transport.ts"
import type { CallState, EndReason } from "./call-state.ts"
import type { CoordinatorConfig } from "./config.ts"
import type { SessionEvent } from "./session-events.ts"
import type { SessionRecord, SessionRegistry } from "./session-record.ts"

export interface CoordinatorContext {
  readonly dialog: DialogLayer["Service"]
  readonly media: MediaEngine["Service"]
  readonly registry: SessionRegistry
  readonly config: CoordinatorConfig
  readonly events: PubSub.PubSub<SessionEvent>
  readonly clock: Clock.Clock
  /** False once shutdown began: new calls get 503. */
  accepting: boolean
  /** Done when shutdown began and the last call was released. */
  readonly drained: Deferred.Deferred<void>
  /** Where a SIP URI's requests go (§19.1.1 without DNS), or undefined when it is not a SIP URI. */
  readonly resolve: (uri: string) => Endpoint | undefined
  /** RFC 3263: the transport addresses of a URI whose host is a name, in the order to try them. */
  readonly locate: (uri: string) => Effect.Effect<ReadonlyArray<Endpoint>, NetworkError>
}

/** Scheduler priority of a call's teardown: after the default (0), see cascade-scheduler.ts. */
const TEARDOWN_PRIORITY = 1

export const publish = (ctx: CoordinatorContext, event: SessionEvent): Effect.Effect<void> =>
  PubSub.publish(ctx.events, event).pipe(Effect.asVoid)

/** The call heard from its peer (SIP here; RTP is read from the media's stats by silence.ts). */
export const heard = (ctx: CoordinatorContext, record: SessionRecord): void => {
  record.heardAt = ctx.clock.currentTimeMillisUnsafe()
}

/** The EndCall action: whatever the ending, the call's scope closes (ports back to the pool, fibers
 *  interrupted) and the application hears `CallEnded` once (the machine ends a call once). */
export const releaseCall = Effect.fnUntraced(function*(
  ctx: CoordinatorContext,
  record: SessionRecord,
  from: CallState,
  reason: EndReason
) {
  ctx.registry.remove(record)
  if (record.media !== undefined) {
    const stats = yield* record.media.stats
    yield* publish(ctx, { _tag: "MediaStopped", sessionId: record.id, stats })
  }
  yield* publish(ctx, { _tag: "StateChanged", sessionId: record.id, from, to: "Terminated" })
  yield* publish(ctx, { _tag: "CallEnded", sessionId: record.id, reason })
  yield* Effect.logInfo("call ended", { session: record.id, callId: record.callId, reason: reason._tag })
  if (!ctx.accepting && ctx.registry.size === 0) yield* Deferred.succeed(ctx.drained, undefined)
  // Closing may interrupt the fiber that called us if it lives in this scope: do it last, detached. And
  // after the turn's more urgent work (other calls' INVITEs): nobody waits for a teardown.
  yield* Effect.forkDetach(Effect.andThen(Effect.yieldNowWith(TEARDOWN_PRIORITY), Scope.close(record.scope, Exit.void)))
})
