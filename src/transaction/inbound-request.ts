/**
 * A request from the network: matched to its server transaction (§17.2.3), or the start of a new one.
 * Retransmissions are answered here and never reach the TU; ACKs are absorbed by their INVITE
 * transaction or handed up; CANCEL is answered here (server-cancel.ts).
 */
import { Effect, Queue } from "effect"
import { isParseError, topVia } from "../sip/index.ts"
import type { SipRequest } from "../sip/message.ts"
import { responseDestination } from "../net/destination.ts"
import type { Endpoint } from "../transport/transport.ts"
import type { LayerContext } from "./context.ts"
import { inviteServerAck, inviteServerRetransmission, startInviteServer } from "./invite-server.ts"
import { lingeringRetransmission } from "./lingering.ts"
import { serverKey } from "./matching.ts"
import { startNonInviteServer } from "./non-invite-server.ts"
import { shedOnOverload } from "./overload.ts"
import { onCancel } from "./server-cancel.ts"
import { makeServerTx, resendLast } from "./server-common.ts"

export const onRequest = Effect.fnUntraced(function*(ctx: LayerContext, request: SipRequest, source: Endpoint) {
  const via = topVia(request)
  if (isParseError(via)) {
    yield* Effect.logDebug(`request from ${source.host}:${source.port} without a usable Via: dropped`)
    return
  }
  const key = serverKey(request, via)
  const existing = ctx.servers.get(key)
  if (request.method === "ACK") {
    // §17.2.1: the ACK for a non-2xx final belongs to the INVITE transaction; any other ACK (for a 2xx,
    // new branch, §13.2.2.4) is the TU's.
    const toTu = existing === undefined || (yield* inviteServerAck(ctx, existing))
    if (toTu) yield* Queue.offer(ctx.events, { _tag: "AckReceived", request, source })
    return
  }
  if (existing !== undefined) {
    ctx.stats.retransmissionsReceived++
    if (existing.invite) yield* inviteServerRetransmission(ctx, existing)
    else if (existing.state !== "trying") yield* resendLast(ctx, existing)
    return
  }
  const answered = ctx.lingering.get(key)
  if (answered !== undefined) {
    ctx.stats.retransmissionsReceived++
    return yield* lingeringRetransmission(ctx, answered)
  }
  const tx = makeServerTx(ctx, key, request, source, responseDestination(via, source))
  ctx.servers.set(key, tx)
  if (request.method === "CANCEL") {
    const inviteKey = serverKey(request, via, "INVITE")
    return yield* onCancel(ctx, tx, ctx.servers.get(inviteKey) ?? ctx.lingering.get(inviteKey))
  }
  if (tx.invite) {
    if (yield* shedOnOverload(ctx, tx)) return
    yield* startInviteServer(ctx, tx)
  } else {
    yield* startNonInviteServer(ctx, tx)
  }
  yield* Queue.offer(ctx.events, { _tag: "RequestReceived", transaction: tx })
})
