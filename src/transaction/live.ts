/**
 * The live TransactionLayer: builds the service over the Transport in the current Scope. One fiber reads the
 * transport's inbound stream (its single consumer) and dispatches; timers run on lanes
 * (src/timers/timer-lanes.ts) in the same Scope, so closing the layer stops everything.
 */
import { Clock, Effect, Layer, Queue, Stream } from "effect"
import { ProtocolError } from "../errors.ts"
import type { SipRequest, SipResponse } from "../sip/message.ts"
import { type Endpoint, type Inbound, Transport } from "../transport/transport.ts"
import { cancelClient, sendRequest } from "./client-start.ts"
import { noOverloadProtection, type OverloadConfig, type TimerConfig } from "./config.ts"
import type { ClientTx, LayerContext, Lingering, ServerTx } from "./context.ts"
import { onRequest } from "./inbound-request.ts"
import { onResponse } from "./inbound-response.ts"
import { respondInvite } from "./invite-server.ts"
import { lingeringRespond, makeLingeringBatch } from "./lingering.ts"
import { respondNonInvite } from "./non-invite-server.ts"
import { LoadProbe, makeOverloadState } from "./admission.ts"
import { makeTimerLanes } from "../timers/timer-lanes.ts"
import { makeTransactionStats, snapshotStats } from "./stats.ts"
import { resolveTimers } from "./timers.ts"
import { type TransactionEvent, TransactionLayer } from "./transaction-layer.ts"
import { RegistryMap } from "../registry-map.ts"

/**
 * Event queue capacity. Policy: backpressure. When the TU lags and the queue is full, the dispatch
 * fiber waits on the offer, so the transport's bounded inbound queue fills and its socket reader stops;
 * UDP datagrams are then dropped (and counted) by the socket's receive buffer, TCP peers are held back
 * by the kernel's window. Nothing grows without bound here.
 */
export const EVENT_QUEUE_CAPACITY = 1024

const dispatch = (ctx: LayerContext, inbound: Inbound): Effect.Effect<void> =>
  inbound.message._tag === "SipRequest"
    ? onRequest(ctx, inbound.message, inbound.source)
    : onResponse(ctx, inbound.message, inbound.source)

export const makeTransactionLayer = Effect.fnUntraced(function*(
  config?: Partial<TimerConfig>,
  overload: OverloadConfig = noOverloadProtection
) {
  const transport = yield* Transport
  const scope = yield* Effect.scope
  const clock = yield* Clock.Clock
  const events = yield* Effect.acquireRelease(
    Queue.bounded<TransactionEvent>(EVENT_QUEUE_CAPACITY),
    (queue) => Queue.shutdown(queue)
  )
  const ctx: LayerContext = {
    transport,
    lanes: yield* makeTimerLanes(scope),
    timers: resolveTimers(config),
    clients: new RegistryMap<string, ClientTx>(),
    servers: new RegistryMap<string, ServerTx>(),
    // A plain Map (not a RegistryMap): entries live their full 64*T1, so a stale slot keeps nothing alive that
    // was not alive anyway, and a box each would be 64,000 more objects at 1,000 calls/s.
    lingering: new Map<string, Lingering>(),
    lingeringBatch: makeLingeringBatch(),
    events,
    overload: makeOverloadState(overload, (yield* LoadProbe)(), clock.currentTimeMillisUnsafe()),
    now: () => clock.currentTimeMillisUnsafe(),
    stats: makeTransactionStats()
  }

  yield* Stream.runForEachArray(transport.inbound, (batch) =>
    Effect.forEach(batch, (inbound) =>
      dispatch(ctx, inbound).pipe(
        // A bug on one message must not stop the layer: log it and go on with the next one.
        Effect.catchDefect((defect) => Effect.logWarning("transaction layer: message dropped after a defect", defect))
      ), { discard: true })
  ).pipe(Effect.forkIn(scope))

  const respond = Effect.fnUntraced(function*(transactionId: string, response: SipResponse) {
    const tx = ctx.servers.get(transactionId)
    if (tx === undefined) {
      const lingering = ctx.lingering.get(transactionId)
      if (lingering !== undefined) return yield* lingeringRespond(ctx, lingering, response)
      return yield* new ProtocolError({ reason: "NoSuchTransaction", message: `no server transaction ${transactionId}` })
    }
    yield* tx.invite ? respondInvite(ctx, tx, response) : respondNonInvite(ctx, tx, response)
  })

  return TransactionLayer.of({
    events: Stream.fromQueue(events),
    sendRequest: (request: SipRequest, destination: Endpoint) => sendRequest(ctx, request, destination),
    cancel: (inviteTransactionId: string) => cancelClient(ctx, inviteTransactionId),
    respond,
    sendStateless: (message, destination) => transport.send(message, destination),
    local: transport.local,
    counts: Effect.sync(() => ({ client: ctx.clients.size, server: ctx.servers.size + ctx.lingering.size })),
    shedInvites: Effect.sync(() => ctx.overload.shed),
    stats: Effect.sync(() => snapshotStats(ctx.stats))
  })
})

export const TransactionLive = {
  /** The RFC 3261 §17 / RFC 6026 implementation over the Transport (the inbound stream's single consumer).
   *  `timers` overrides T1/T2/T4; transactions on TCP skip the retransmission timers. `overload` turns on
   *  overload protection (off by default here; the server stack turns it on). */
  layer: (
    timers?: Partial<TimerConfig>,
    overload?: OverloadConfig
  ): Layer.Layer<TransactionLayer, never, Transport> => Layer.effect(TransactionLayer, makeTransactionLayer(timers, overload))
}
