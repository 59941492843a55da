/**
 * The live SessionCoordinator: one fiber reacts to dialog events; operations look the call up and
 * act on it. On shutdown it stops admitting calls (503) and ends active ones with BYE, within a bound.
 */
import { Clock, Deferred, Effect, Layer, PubSub, Stream } from "effect"
import { checkCodecs } from "./codec-check.ts"
import { DialogLayer } from "../dialog/dialog-layer.ts"
import { ApplicationError } from "../errors.ts"
import { MediaEngine } from "../media/media-engine.ts"
import { acceptCall, rejectCall } from "./answer-call.ts"
import { checkOperation } from "./call-state.ts"
import type { CoordinatorConfig } from "./config.ts"
import type { CoordinatorContext } from "./context.ts"
import { onDialogEvent } from "./dialog-events.ts"
import { watchSilence } from "./silence.ts"
import { hangUp, holdCall, resumeCall } from "./in-call.ts"
import { sendDtmfInfo, sendInCall } from "./info.ts"
import { sendUpdate } from "./update.ts"
import { sendMessage } from "./messages.ts"
import { SessionCoordinator } from "./session-coordinator.ts"
import type { SessionEvent } from "./session-events.ts"
import type { SessionRecord } from "./session-record.ts"
import { SessionRegistry } from "./session-record.ts"
import { placeCall } from "./outgoing-call.ts"
import { transferCall } from "../transfer/send-refer.ts"
import { isParseError } from "../sip/index.ts"
import { requestDestination } from "../net/destination.ts"
import { locate } from "../net/locate.ts"
import { Locator } from "../net/locator.ts"

const resolveTarget = (uri: string) => {
  const destination = requestDestination(uri)
  return isParseError(destination) ? undefined : destination
}

const shutdown = (ctx: CoordinatorContext) =>
  Effect.gen(function*() {
    ctx.accepting = false
    // New INVITEs get 503 and OPTIONS 503 from the dialog layer from now on.
    yield* ctx.dialog.drain
    const live = ctx.registry.all()
    if (live.length === 0) return
    yield* Effect.logInfo("shutting down: ending calls", { calls: live.length })
    // A call whose 2xx awaits its ACK sends BYE after the ACK: wait for every call's end, within the bound.
    yield* Effect.forEach(live, (record) => hangUp(ctx, record, { _tag: "Shutdown" }).pipe(Effect.ignore), {
      concurrency: "unbounded",
      discard: true
    }).pipe(Effect.andThen(Deferred.await(ctx.drained)), Effect.timeoutOption(ctx.config.shutdownTimeoutMs))
  })

const layer = (config: CoordinatorConfig) =>
  Layer.effect(
    SessionCoordinator,
    Effect.gen(function*() {
      const badCodecs = checkCodecs(config.codecs)
      if (badCodecs !== undefined) return yield* badCodecs
      const dialog = yield* DialogLayer
      const media = yield* MediaEngine
      const events = yield* PubSub.sliding<SessionEvent>(4096)
      const locator = yield* Locator
      const ctx: CoordinatorContext = {
        dialog,
        media,
        registry: new SessionRegistry(),
        config,
        events,
        clock: yield* Clock.Clock,
        accepting: true,
        drained: yield* Deferred.make<void>(),
        resolve: resolveTarget,
        locate: (uri) => locate(uri, locator)
      }
      yield* Stream.runForEach(dialog.events, (event) => onDialogEvent(ctx, event)).pipe(Effect.forkScoped)
      yield* Effect.addFinalizer(() => shutdown(ctx))
      yield* watchSilence(ctx)

      const find = (sessionId: string): Effect.Effect<SessionRecord, ApplicationError> => {
        const record = ctx.registry.get(sessionId)
        return record === undefined
          ? Effect.fail(new ApplicationError({ reason: "NoSuchSession", message: `no live session ${sessionId}` }))
          : Effect.succeed(record)
      }
      const withMedia = (sessionId: string, operation: "dtmf" | "mute" | "record", f: (record: SessionRecord) => Effect.Effect<void>) =>
        Effect.flatMap(find(sessionId), (record) => {
          const invalid = checkOperation(record.id, record.call.state, operation)
          return invalid ? Effect.fail(invalid) : record.media === undefined ? Effect.void : f(record)
        })

      return SessionCoordinator.of({
        events: Stream.fromPubSub(events),
        subscribe: Effect.map(PubSub.subscribe(events), Stream.fromSubscription),
        accept: Effect.fn("SessionCoordinator.accept")(function*(sessionId, options) {
          const record = yield* find(sessionId)
          yield* acceptCall(ctx, record, options ?? {})
        }),
        reject: Effect.fn("SessionCoordinator.reject")(function*(sessionId, status, reason) {
          yield* rejectCall(ctx, yield* find(sessionId), status, reason)
        }),
        hold: Effect.fn("SessionCoordinator.hold")(function*(sessionId) {
          yield* holdCall(ctx, yield* find(sessionId))
        }),
        resume: Effect.fn("SessionCoordinator.resume")(function*(sessionId) {
          yield* resumeCall(ctx, yield* find(sessionId))
        }),
        update: Effect.fn("SessionCoordinator.update")(function*(sessionId, options) {
          yield* sendUpdate(ctx, yield* find(sessionId), options ?? {})
        }),
        end: Effect.fn("SessionCoordinator.end")(function*(sessionId) {
          yield* hangUp(ctx, yield* find(sessionId), { _tag: "NormalClearing", by: "local" })
        }),
        sendDtmf: (sessionId, digits, method) =>
          Effect.flatMap(find(sessionId), (record) =>
            (method ?? record.dtmf) === "info"
              ? sendDtmfInfo(ctx, record, digits)
              : withMedia(sessionId, "dtmf", (found) => found.media!.sendDtmf(digits))),
        sendInfo: Effect.fn("SessionCoordinator.sendInfo")(function*(sessionId, contentType, body) {
          yield* sendInCall(ctx, yield* find(sessionId), "INFO", contentType, body)
        }),
        setMuted: (sessionId, muted) => withMedia(sessionId, "mute", (record) => record.media!.setMuted(muted)),
        record: (sessionId, path) => withMedia(sessionId, "record", (record) => record.media!.recordTo(path)),
        setCodecPreferences: (sessionId, codecs) =>
          Effect.flatMap(find(sessionId), (record) => {
            const invalid = checkOperation(record.id, record.call.state, "codecs") ?? checkCodecs(codecs)
            if (invalid) return Effect.fail(invalid)
            record.codecs = codecs
            return Effect.void
          }),
        sendMessage: Effect.fn("SessionCoordinator.sendMessage")(function*(to, contentType, body) {
          if (typeof to === "string") return yield* sendMessage(ctx, to, contentType, body)
          yield* sendInCall(ctx, yield* find(to.sessionId), "MESSAGE", contentType, body)
        }),
        transfer: Effect.fn("SessionCoordinator.transfer")(function*(sessionId, target) {
          yield* transferCall(ctx, yield* find(sessionId), target)
        }),
        call: Effect.fn("SessionCoordinator.call")(function*(options) {
          return yield* placeCall(ctx, options)
        }),
        state: (sessionId) => Effect.map(find(sessionId), (record) => record.call.state),
        activeSessions: Effect.sync(() => ctx.registry.size),
        shutdown: shutdown(ctx)
      })
    })
  )

/** The live SessionCoordinator over a DialogLayer and a MediaEngine. */
export const SessionCoordinatorLive = { layer }
