/**
 * What the INVITE and non-INVITE server transactions share: their record, how responses go out
 * (§18.2.2 destination fixed at arrival), how they end, and the guard against a TU that never answers.
 *
 * Guard policy: if the TU has sent no final response when the guard fires (64*T1 for non-INVITE, 3 min
 * for INVITE, see timers.ts `tuGuard`), the layer answers 408 Request Timeout itself (§21.4.9: the server
 * could not produce a response in time), so the peer's transaction ends cleanly, and reports
 * ServerTransactionFailed (TransactionTimeout) to the TU. The transaction then ends by its usual timers.
 */
import { Effect, Queue } from "effect"
import { type NetworkError, ProtocolError } from "../errors.ts"
import { makeResponse } from "../sip/index.ts"
import type { SipRequest, SipResponse } from "../sip/message.ts"
import type { Endpoint } from "../transport/transport.ts"
import type { LayerContext, ServerTx } from "./context.ts"
import { disarmAll } from "../timers/slots.ts"
import { countStatus } from "./stats.ts"

export const makeServerTx = (
  ctx: LayerContext,
  id: string,
  request: SipRequest,
  source: Endpoint,
  destination: Endpoint
): ServerTx => {
  const invite = request.method === "INVITE"
  return {
    id,
    request,
    source,
    destination,
    invite,
    reliable: source.transport !== "udp",
    state: invite ? "proceeding" : "trying",
    interval: ctx.timers.t1,
    last: undefined,
    reported: false,
    retransmit: undefined,
    expiry: undefined
  }
}

export const terminateServer = (ctx: LayerContext, tx: ServerTx): void => {
  if (tx.state === "terminated") return
  tx.state = "terminated"
  disarmAll(tx)
  if (ctx.servers.get(tx.id) === tx) ctx.servers.delete(tx.id)
}

/** Ends the transaction and tells the TU why (Timer H, a transport error on a retransmission, the guard). */
export const failServer = (ctx: LayerContext, tx: ServerTx, error: ProtocolError | NetworkError): Effect.Effect<void> => {
  terminateServer(ctx, tx)
  return reportFailure(ctx, tx, error)
}

/** ServerTransactionFailed up to the TU (waits while the event queue is full: backpressure). */
export const reportFailure = (ctx: LayerContext, tx: ServerTx, error: ProtocolError | NetworkError): Effect.Effect<void> => {
  if (tx.reported) return Effect.void
  tx.reported = true
  return Queue.offer(ctx.events, { _tag: "ServerTransactionFailed", id: tx.id, error }).pipe(Effect.asVoid)
}

/** Sends a response; a transport error terminates the transaction (§17.2.4) and is returned. */
export const sendResponse = (ctx: LayerContext, tx: ServerTx, response: SipResponse): Effect.Effect<void, NetworkError> => {
  countStatus(ctx.stats.responsesSent, response.status)
  return ctx.transport.send(response, tx.destination).pipe(
    Effect.tapError(() => Effect.sync(() => terminateServer(ctx, tx)))
  )
}

/** A retransmitted request: answered with the last response, if any (§17.2.1, §17.2.2). Errors are
 *  dropped: the original answer already went out once. */
export const resendLast = (ctx: LayerContext, tx: ServerTx): Effect.Effect<void> => {
  if (tx.last === undefined) return Effect.void
  ctx.stats.retransmissionsSent++
  return Effect.ignore(ctx.transport.send(tx.last, tx.destination))
}

export const guardTimeout = (tx: ServerTx): ProtocolError =>
  new ProtocolError({
    reason: "TransactionTimeout",
    message: `${tx.request.method} ${tx.request.uri}: the TU sent no final response; answered 408`,
    status: 408
  })

export const requestTimeout = (tx: ServerTx): SipResponse => makeResponse(tx.request, 408, "Request Timeout")
