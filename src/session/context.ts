/**
 * What every piece of the coordinator shares: the layers below, the registry, the event hub, and the
 * few moves every path makes (change state, end a call).
 */
import { Effect, Exit, PubSub, Scope } from "effect"
import type { DialogLayer } from "../dialog/dialog-layer.ts"
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
  /** False once shutdown began: new calls get 503. */
  accepting: boolean
  /** Where a SIP URI's requests go (§19.1.1 without DNS), or undefined when it is not a SIP URI. */
  readonly resolve: (uri: string) => Endpoint | undefined
}

/** Scheduler priority of a call's teardown: after the default (0), see cascade-scheduler.ts. */
const TEARDOWN_PRIORITY = 1

export const publish = (ctx: CoordinatorContext, event: SessionEvent): Effect.Effect<void> =>
  PubSub.publish(ctx.events, event).pipe(Effect.asVoid)

/** Move a live call to a new state and say so. Terminated is reached only through `endSession`. */
export const transition = Effect.fnUntraced(function*(ctx: CoordinatorContext, record: SessionRecord, to: CallState) {
  const from = record.state
  if (from === to || from === "Terminated") return
  record.state = to
  yield* publish(ctx, { _tag: "StateChanged", sessionId: record.id, from, to })
  yield* Effect.logDebug("call state", { session: record.id, from, to })
})

/** The one way a call ends: whatever the ending, its scope closes (ports back to the pool, fibers
 *  interrupted) and the application hears `CallEnded` once. */
export const endSession = Effect.fnUntraced(function*(ctx: CoordinatorContext, record: SessionRecord, reason: EndReason) {
  if (record.state === "Terminated") return
  const from = record.state
  record.state = "Terminated"
  ctx.registry.remove(record)
  if (record.media !== undefined) {
    const stats = yield* record.media.stats
    yield* publish(ctx, { _tag: "MediaStopped", sessionId: record.id, stats })
  }
  yield* publish(ctx, { _tag: "StateChanged", sessionId: record.id, from, to: "Terminated" })
  yield* publish(ctx, { _tag: "CallEnded", sessionId: record.id, reason })
  yield* Effect.logInfo("call ended", { session: record.id, callId: record.callId, reason: reason._tag })
  // Closing may interrupt the fiber that called us if it lives in this scope: do it last, detached. And
  // after the turn's more urgent work (other calls' INVITEs): nobody waits for a teardown.
  yield* Effect.forkDetach(Effect.andThen(Effect.yieldNowWith(TEARDOWN_PRIORITY), Scope.close(record.scope, Exit.void)))
})
