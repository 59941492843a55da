/**
 * Starting a client transaction (§17.1), and CANCEL on the client side (§9.1).
 */
import { Effect, Queue, Stream } from "effect"
import { type NetworkError, ProtocolError } from "../errors.ts"
import type { SipRequest } from "../sip/message.ts"
import type { Endpoint } from "../transport/transport.ts"
import { makeClientTx, terminateClient } from "./client-common.ts"
import type { ClientTx, LayerContext } from "./context.ts"
import { cancelFor, withBranch } from "./derived-requests.ts"
import { armCancelGuard, startInviteClient } from "./invite-client.ts"
import { clientKey } from "./matching.ts"
import { startNonInviteClient } from "./non-invite-client.ts"
import type { ClientTransaction } from "./transaction-layer.ts"

const publicView = (tx: ClientTx): ClientTransaction => ({
  id: tx.id,
  request: tx.request,
  destination: tx.destination,
  responses: Stream.fromQueue(tx.queue)
})

/**
 * Creates the transaction, arms its timers, hands the request to the transport. The timers are armed
 * before the send so that a response racing the send finds the transaction complete. An ACK is no
 * transaction (§17.1.1.3 / §13.2.2.4): it is sent as is and its "transaction" has no responses.
 */
export const startClient = Effect.fnUntraced(function*(
  ctx: LayerContext,
  request: SipRequest,
  destination: Endpoint
): Effect.fn.Return<ClientTx, NetworkError> {
  const ready = withBranch(request, destination, ctx.transport.local)
  const tx = yield* makeClientTx(clientKey(ready.branch, ready.request.method), ready.request, destination, ctx.timers.t1)
  if (ready.request.method === "ACK") {
    tx.state = "terminated"
    Queue.endUnsafe(tx.queue)
    yield* ctx.transport.send(ready.request, destination)
    return tx
  }
  ctx.clients.set(tx.id, tx)
  if (tx.invite) yield* startInviteClient(ctx, tx)
  else yield* startNonInviteClient(ctx, tx)
  yield* ctx.transport.send(ready.request, destination).pipe(
    Effect.tapError((error) => Effect.sync(() => terminateClient(ctx, tx, error)))
  )
  return tx
})

export const sendRequest = (ctx: LayerContext, request: SipRequest, destination: Endpoint) =>
  Effect.map(startClient(ctx, request, destination), publicView)

/** Sends the CANCEL for a Proceeding INVITE as its own non-INVITE transaction, and bounds the INVITE's
 *  wait for its final response (§9.1: 64*T1). Nobody reads the CANCEL's responses: the INVITE's 487 is
 *  what the TU waits for. */
export const sendCancel = Effect.fnUntraced(function*(ctx: LayerContext, invite: ClientTx) {
  invite.cancelSent = true
  invite.cancelPending = false
  yield* armCancelGuard(ctx, invite)
  yield* startClient(ctx, cancelFor(invite.request), invite.destination)
})

/** §9.1: CANCEL only once a provisional arrived (remembered until then), never after a final response. */
export const cancelClient = Effect.fnUntraced(function*(
  ctx: LayerContext,
  inviteId: string
): Effect.fn.Return<void, ProtocolError | NetworkError> {
  const tx = ctx.clients.get(inviteId)
  if (tx === undefined || !tx.invite) {
    return yield* new ProtocolError({ reason: "NoSuchTransaction", message: `no INVITE client transaction ${inviteId}` })
  }
  if (tx.cancelSent || tx.cancelPending) return
  if (tx.state === "calling") tx.cancelPending = true
  else if (tx.state === "proceeding") yield* sendCancel(ctx, tx)
  // Completed / Accepted: the final response is already there; the CANCEL would have no effect.
})
