/**
 * The live DialogLayer on top of a TransactionLayer: one fiber consumes transaction events in order,
 * commands act on the shared store. Every timer and follower fiber lives in the layer's scope.
 *
 * Events policy: a bounded queue (`eventCapacity`, default 1024) with backpressure. When the session
 * lags, the transaction-event loop suspends, so the transaction layer's own bounded queue and then the
 * transport's receive buffer absorb the burst (dropping, counted, at the socket). Events raised inside
 * a command (LocalBye, in-dialog Timeout) are offered from a forked fiber so that a session handler
 * calling us from its event loop can never deadlock on its own full queue.
 */
import { Cause, Effect, FiberSet, Layer, Queue, Scope, Stream } from "effect"
import { ProtocolError } from "../errors.ts"
import { makeTimerLanes } from "../timers/timer-lanes.ts"
import { TransactionLayer, type TransactionEvent } from "../transaction/transaction-layer.ts"
import type { DialogEvent } from "./dialog-layer.ts"
import { DialogLayer } from "./dialog-layer.ts"
import { claimsOf } from "./capabilities.ts"
import { type DialogLayerConfig, resolveTimers } from "./config.ts"
import type { DialogContext } from "./context.ts"
import { DialogStore } from "./dialog-store.ts"
import { request } from "./in-dialog-request.ts"
import { onRequest } from "./incoming-request.ts"
import { replacingUri } from "./replaces.ts"
import { sendOutOfDialog } from "./out-of-dialog-request.ts"
import { respond } from "./respond.ts"
import { accept, onAck, onCancel, provisional, reject } from "./uas-invite.ts"
import { stopAllRetransmitting } from "./two-xx-retransmit.ts"
import { findOutgoing, invite } from "./uac-invite.ts"
import { onStrayResponse } from "./uac-responses.ts"
import { RegistryMap } from "../registry-map.ts"
import { RequestGates, RequestUsages } from "./usage.ts"

/** §17.2 ends a server transaction on its own (Timer H, transport error): drop what hangs on it. */
const onServerFailed = Effect.fnUntraced(function*(ctx: DialogContext, id: string, reason: "Timeout" | "TransportError") {
  const dialogId = ctx.store.incomingByTransaction.get(id)
  if (dialogId !== undefined) {
    ctx.store.removeIncoming(dialogId)
    ctx.store.removeDialog(dialogId)
    yield* ctx.emit({ _tag: "DialogTerminated", dialogId, reason })
  }
  const pending = ctx.store.requests.get(id)
  if (pending === undefined) return
  ctx.store.requests.delete(id)
  const dialog = ctx.store.dialogs.get(pending.dialogId)
  if (dialog !== undefined && pending.kind === "reinvite") dialog.invite = "none"
})

const dispatch = (ctx: DialogContext, event: TransactionEvent): Effect.Effect<void> => {
  switch (event._tag) {
    case "RequestReceived":
      return onRequest(ctx, event.transaction)
    case "AckReceived":
      return onAck(ctx, event.request, event.source)
    case "CancelReceived":
      return onCancel(ctx, event.invite)
    case "StrayResponse":
      return onStrayResponse(ctx, event.response)
    case "ServerTransactionFailed":
      return onServerFailed(ctx, event.id, event.error._tag === "NetworkError" ? "TransportError" : "Timeout")
  }
}

/** The service and its context (tests read its retransmissions and fibers through it to prove nothing leaks). */
export const makeDialogLayerWithContext = Effect.fnUntraced(function*(config: DialogLayerConfig) {
  const transactions = yield* TransactionLayer
  const scope = yield* Effect.scope
  const events = yield* Queue.bounded<DialogEvent>(config.eventCapacity ?? 1024)
  const usages = new Map((yield* RequestUsages).flatMap((usage) => usage.methods.map((m) => [m, usage] as const)))
  const ctx: DialogContext = {
    transactions,
    store: new DialogStore(),
    contactHost: config.contactHost,
    userAgent: config.userAgent,
    timers: resolveTimers(config),
    reliableProvisionals: config.reliableProvisionals ?? "all",
    emit: (event) => Queue.offer(events, event).pipe(Effect.asVoid),
    // Room in the queue (the usual case): in now, no fiber. Full: a fiber waits for room instead of us.
    emitLater: (event) =>
      Effect.suspend(() =>
        Queue.offerUnsafe(events, event) ? Effect.void : Queue.offer(events, event).pipe(Effect.forkIn(scope), Effect.asVoid)
      ),
    lanes: yield* makeTimerLanes(scope),
    retransmits: new RegistryMap(),
    background: yield* FiberSet.make<void, never>(),
    scope,
    admission: { draining: false },
    usages,
    claims: claimsOf([...usages.keys()]),
    gates: new Map((yield* RequestGates).flatMap((gate) => gate.methods.map((m) => [m, gate] as const)))
  }
  yield* Scope.addFinalizer(scope, Effect.sync(() => stopAllRetransmitting(ctx)))
  yield* Stream.runForEach(transactions.events, (event) =>
    dispatch(ctx, event).pipe(
      Effect.catchCause((cause) =>
        Effect.logWarning(`dialog layer: ${event._tag} handling failed`, Cause.pretty(cause))
      )
    )).pipe(Effect.forkIn(scope))

  // Operations the session calls get a span each (Effect.fn); the per-message paths below stay untraced.
  const service: DialogLayer["Service"] = {
    events: Stream.fromQueue(events),
    provisional: Effect.fn("DialogLayer.provisional")(function*(dialogId, status, options) {
      return yield* provisional(ctx, dialogId, status, options)
    }),
    accept: Effect.fn("DialogLayer.accept")(function*(dialogId, options) {
      return yield* accept(ctx, dialogId, options)
    }),
    reject: Effect.fn("DialogLayer.reject")(function*(dialogId, status, options) {
      return yield* reject(ctx, dialogId, status, options)
    }),
    respond: Effect.fn("DialogLayer.respond")(function*(requestId, status, options) {
      return yield* respond(ctx, requestId, status, options)
    }),
    invite: Effect.fn("DialogLayer.invite")(function*(options) {
      return yield* invite(ctx, options)
    }),
    cancel: Effect.fn("DialogLayer.cancel")(function*(dialogId) {
      const outgoing = findOutgoing(ctx, dialogId)
      if (outgoing === undefined || outgoing.final) {
        return yield* new ProtocolError({ reason: "NoSuchTransaction", message: `no pending INVITE for ${dialogId}` })
      }
      return yield* transactions.cancel(outgoing.transactionId)
    }),
    request: Effect.fn("DialogLayer.request")(function*(dialogId, method, options) {
      return yield* request(ctx, dialogId, method, options)
    }),
    replacingUri: (dialogId) =>
      Effect.suspend(() => {
        const dialog = ctx.store.dialog(dialogId)
        return dialog === undefined
          ? Effect.fail(new ProtocolError({ reason: "NoSuchDialog", message: `no dialog ${dialogId}`, status: 481 }))
          : Effect.succeed(replacingUri(dialog))
      }),
    outOfDialog: Effect.fn("DialogLayer.outOfDialog")(function*(method, options) {
      return yield* sendOutOfDialog(ctx, method, options)
    }),
    drain: Effect.sync(() => {
      ctx.admission.draining = true
    }),
    counts: Effect.sync(() => ({ dialogs: ctx.store.dialogs.size, pendingInvites: ctx.store.pendingInvites }))
  }
  return { service, ctx }
})

export const makeDialogLayer = (config: DialogLayerConfig) =>
  Effect.map(makeDialogLayerWithContext(config), ({ service }) => service)

/** The live layer over a TransactionLayer. Contact: `<sip:contactHost:port;transport=…>`, the port as the
 *  transport below bound it. */
export const DialogLive = {
  layer: (config: DialogLayerConfig) => Layer.effect(DialogLayer, makeDialogLayer(config))
}
