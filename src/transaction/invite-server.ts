/**
 * The INVITE server transaction (RFC 3261 §17.2.1, with RFC 6026's Accepted state):
 *
 *   Proceeding ──TU 2xx──▶ Accepted ──Timer L──▶ Terminated
 *      └──TU 300-699──▶ Completed ──ACK──▶ Confirmed ──Timer I──▶ Terminated
 *                          └──Timer H / transport error──▶ Terminated (ServerTransactionFailed)
 *
 * 100 Trying goes out if the TU has not answered within 200 ms. Timer G retransmits a non-2xx final over
 * UDP at T1, 2T1, … capped at T2 until the ACK; Timer H (64*T1) gives up waiting for it. In Accepted the
 * TU's own 2xx retransmissions pass through (RFC 6026 §8.5) and retransmitted INVITEs are absorbed.
 */
import { Effect } from "effect"
import type { NetworkError } from "../errors.ts"
import { getHeader, makeResponse } from "../sip/index.ts"
import type { SipResponse } from "../sip/message.ts"
import { ProtocolError } from "../errors.ts"
import type { LayerContext, ServerTx } from "./context.ts"
import { linger } from "./lingering.ts"
import {
  failServer,
  guardTimeout,
  reportFailure,
  requestTimeout,
  resendLast,
  sendResponse,
  terminateServer
} from "./server-common.ts"
import { arm, armRetransmit, disarm, disarmAll } from "../timers/slots.ts"
import { timerI, TRYING_DELAY, tuGuard } from "./timers.ts"

const timerG = (ctx: LayerContext, tx: ServerTx): Effect.Effect<void> =>
  armRetransmit(ctx.lanes, tx, () => {
    if (tx.state !== "completed" || tx.last === undefined) return undefined
    tx.interval = Math.min(2 * tx.interval, ctx.timers.t2)
    ctx.stats.retransmissionsSent++
    return ctx.transport.send(tx.last, tx.destination).pipe(
      Effect.matchEffect({
        onFailure: (error) => Effect.as(failServer(ctx, tx, error), false),
        onSuccess: () => Effect.succeed(true)
      })
    )
  })

const timerH = (tx: ServerTx): ProtocolError =>
  new ProtocolError({ reason: "TransactionTimeout", message: `INVITE ${tx.request.uri}: no ACK for the final response (Timer H)` })

/** The TU's response. After a final one, only 2xx retransmissions while Accepted pass; the rest is discarded. */
export const respondInvite = (
  ctx: LayerContext,
  tx: ServerTx,
  response: SipResponse
): Effect.Effect<void, NetworkError> => {
  const status = response.status
  if (tx.state === "accepted") {
    if (status < 200 || status >= 300) return Effect.void
    // The TU's own 2xx retransmission (RFC 6026): counted as a retransmission, not as another response.
    ctx.stats.retransmissionsSent++
    return ctx.transport.send(response, tx.destination).pipe(Effect.tapError(() => Effect.sync(() => terminateServer(ctx, tx))))
  }
  if (tx.state !== "proceeding") return Effect.void
  tx.last = response
  if (status < 200) {
    disarm(tx, "retransmit") // no automatic 100 any more
    return sendResponse(ctx, tx, response)
  }
  disarmAll(tx)
  if (status < 300) {
    tx.state = "accepted"
    return Effect.andThen(sendResponse(ctx, tx, response), linger(ctx, tx, response, ctx.timers.timeout))
  }
  tx.state = "completed"
  return Effect.andThen(
    sendResponse(ctx, tx, response),
    Effect.suspend(() => {
      if (tx.state !== "completed") return Effect.void
      return Effect.andThen(
        tx.reliable ? Effect.void : timerG(ctx, tx),
        arm(ctx.lanes, tx, "expiry", ctx.timers.timeout, Effect.suspend(() => failServer(ctx, tx, timerH(tx))))
      )
    })
  )
}

/** Arms the automatic 100 Trying and the TU guard (see server-common.ts) on a new transaction. */
export const startInviteServer = (ctx: LayerContext, tx: ServerTx): Effect.Effect<void> =>
  Effect.andThen(
    arm(
      ctx.lanes,
      tx,
      "retransmit",
      TRYING_DELAY,
      Effect.suspend(() => sendTrying(ctx, tx))
    ),
    arm(
      ctx.lanes,
      tx,
      "expiry",
      tuGuard(ctx.timers, true),
      Effect.suspend(() => {
        if (tx.state !== "proceeding") return Effect.void
        return respondInvite(ctx, tx, requestTimeout(tx)).pipe(
          Effect.ignore,
          Effect.andThen(reportFailure(ctx, tx, guardTimeout(tx)))
        )
      })
    )
  )

/** An ACK matched this transaction. Returns true when it belongs to the TU (Accepted: an ACK reusing the
 *  INVITE's branch), false when absorbed (§17.2.1: Completed → Confirmed, Timer I). */
export const inviteServerAck = (ctx: LayerContext, tx: ServerTx): Effect.Effect<boolean> => {
  if (tx.state === "accepted") return Effect.succeed(true)
  if (tx.state !== "completed") return Effect.succeed(false)
  tx.state = "confirmed"
  disarmAll(tx)
  return Effect.as(arm(ctx.lanes, tx, "expiry", timerI(ctx.timers, tx.reliable), Effect.sync(() => terminateServer(ctx, tx))), false)
}

/** The 100 Trying, unless the TU has sent a response already. */
const sendTrying = (ctx: LayerContext, tx: ServerTx): Effect.Effect<void> => {
  if (tx.state !== "proceeding" || tx.last !== undefined) return Effect.void
  // §8.2.6.1: a 100 copies the request's Timestamp (RTT estimates for the UAC).
  const timestamp = getHeader(tx.request, "timestamp")
  const trying = makeResponse(tx.request, 100, "Trying", timestamp === undefined ? undefined : { headers: [["Timestamp", timestamp]] })
  return Effect.ignore(respondInvite(ctx, tx, trying))
}

/**
 * A retransmitted INVITE: the last provisional or final goes out again; absorbed once Accepted or Confirmed.
 * Before any response, the 100 Trying goes out at once, not at its 200 ms timer: the UAC has waited a T1
 * already, and over UDP a provisional stops its retransmissions (§17.1.1.2). Under overload, when the
 * queue delay passes T1, this keeps every INVITE to one retransmission instead of a growing storm.
 */
export const inviteServerRetransmission = (ctx: LayerContext, tx: ServerTx): Effect.Effect<void> => {
  if (tx.state === "proceeding" && tx.last === undefined) return sendTrying(ctx, tx)
  return tx.state === "proceeding" || tx.state === "completed" ? resendLast(ctx, tx) : Effect.void
}
