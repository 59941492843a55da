/**
 * What the INVITE and non-INVITE client transactions share: their record, how they send, how they end
 * (§17.1.1.2, §17.1.2.2: a timeout or a transport error is reported to the TU and the transaction ends).
 */
import { Cause, Effect, Queue } from "effect"
import { type NetworkError, ProtocolError } from "../errors.ts"
import type { SipRequest, SipResponse } from "../sip/message.ts"
import type { Endpoint } from "../transport/transport.ts"
import type { ClientTx, LayerContext } from "./context.ts"
import { arm, armRetransmit, disarmAll } from "../timers/slots.ts"

export const makeClientTx = Effect.fnUntraced(function*(
  id: string,
  request: SipRequest,
  destination: Endpoint,
  t1: number
) {
  // Unbounded, yet finite: a transaction takes responses only while it lives (Timer M/D/K bound that
  // time) and the queue is dropped with the transaction.
  const queue = yield* Queue.unbounded<SipResponse, ProtocolError | NetworkError | Cause.Done>()
  const invite = request.method === "INVITE"
  const tx: ClientTx = {
    id,
    invite,
    request,
    destination,
    reliable: destination.transport !== "udp",
    state: invite ? "calling" : "trying",
    interval: t1,
    queue,
    ack: undefined,
    cancelPending: false,
    cancelSent: false,
    retransmit: undefined,
    expiry: undefined
  }
  return tx
})

/** Ends the transaction: timers stopped, out of the table, its response stream ended or failed. */
export const terminateClient = (
  ctx: LayerContext,
  tx: ClientTx,
  error?: ProtocolError | NetworkError
): void => {
  if (tx.state === "terminated") return
  tx.state = "terminated"
  disarmAll(tx)
  if (ctx.clients.get(tx.id) === tx) ctx.clients.delete(tx.id)
  if (error === undefined) Queue.endUnsafe(tx.queue)
  else Queue.failCauseUnsafe(tx.queue, Cause.fail(error))
}

/** Hands a response to the TU. */
export const deliver = (tx: ClientTx, response: SipResponse): void => {
  Queue.offerUnsafe(tx.queue, response)
}

export const timeoutError = (tx: ClientTx, timer: string): ProtocolError =>
  new ProtocolError({
    reason: "TransactionTimeout",
    message: `${tx.request.method} ${tx.request.uri}: no final response (Timer ${timer})`
  })

/** Sends a message for the transaction; a transport error terminates it with that error (§17.1.4). */
export const sendFor = (ctx: LayerContext, tx: ClientTx, message: SipRequest): Effect.Effect<void> =>
  ctx.transport.send(message, tx.destination).pipe(
    Effect.catch((error) => Effect.sync(() => terminateClient(ctx, tx, error)))
  )

/** How one client machine retransmits and gives up (Timers A/B for INVITE, E/F for non-INVITE). */
export interface ClientTimerRules {
  /** States in which the request is still unanswered by a final response. */
  readonly pending: (tx: ClientTx) => boolean
  /** The next retransmit interval after one fired. */
  readonly next: (ctx: LayerContext, tx: ClientTx) => number
  /** The give-up timer's name, for the TransactionTimeout message. */
  readonly expiry: "B" | "F"
}

const retransmit = (ctx: LayerContext, tx: ClientTx, rules: ClientTimerRules): Effect.Effect<void> =>
  armRetransmit(ctx.lanes, tx, () => {
    if (!rules.pending(tx)) return undefined
    tx.interval = rules.next(ctx, tx)
    ctx.stats.retransmissionsSent++
    return Effect.as(sendFor(ctx, tx, tx.request), true)
  })

/** Arms retransmission (UDP only) and the 64*T1 give-up once the request has been handed to the transport. */
export const startClientTimers = Effect.fnUntraced(function*(ctx: LayerContext, tx: ClientTx, rules: ClientTimerRules) {
  if (!tx.reliable) yield* retransmit(ctx, tx, rules)
  yield* arm(
    ctx.lanes,
    tx,
    "expiry",
    ctx.timers.timeout,
    Effect.sync(() => {
      if (rules.pending(tx)) terminateClient(ctx, tx, timeoutError(tx, rules.expiry))
    })
  )
})
