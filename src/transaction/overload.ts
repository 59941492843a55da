/**
 * Overload protection (RFC 3261 §21.5.4; the local, loss-based control of RFC 6357 §4 and RFC 7339): while the
 * event loop stays saturated, part of the new dialog-creating INVITEs are answered 503 Service Unavailable
 * with Retry-After by their own server transaction, and never reach the TU.
 *
 * Why: past its capacity a UDP server does not queue, the kernel drops datagrams from the socket buffer. UACs
 * retransmit, calls they already gave up on keep costing (their 2xx is retransmitted for 32 s), and the load
 * feeds itself: a cold server offered 2,000 calls/s kept its event loop 100 % busy for 25 s and completed 28 %
 * of the calls. A 503 costs a fraction of a call, so turning the excess away keeps the admitted calls in time.
 * In-dialog requests (BYE, re-INVITE), CANCEL, ACK and responses are never shed: they finish admitted work.
 *
 * The admitted share comes from admission.ts; the config (OverloadConfig) from config.ts.
 */
import { Effect } from "effect"
import { hasTag } from "../sip/builders.ts"
import { getHeader, makeResponse } from "../sip/index.ts"
import { sample } from "./admission.ts"
import type { LayerContext, ServerTx } from "./context.ts"
import { respondInvite } from "./invite-server.ts"

const notShed = Effect.succeed(false)

const isNewDialog = (tx: ServerTx): boolean => {
  const to = getHeader(tx.request, "to")
  return to === undefined || !hasTag(to)
}

/** For a new INVITE transaction: true when overload protection answered it 503 (the TU is not to see it).
 *  Its retransmissions and ACK are then absorbed like any other non-2xx final's (§17.2.1). */
export const shedOnOverload = (ctx: LayerContext, tx: ServerTx): Effect.Effect<boolean> => {
  const state = ctx.overload
  if (state.config.maxUtilization <= 0) return notShed
  const transition = sample(state, ctx.now())
  const log = transition === undefined ? Effect.void : Effect.logWarning(transition)
  const admit = transition === undefined ? notShed : Effect.as(log, false)
  if (state.admitted === 1 || !isNewDialog(tx)) return admit
  state.credit += state.admitted
  if (state.credit >= 1) {
    state.credit -= 1
    return admit
  }
  state.shed++
  state.shedThisEpisode++
  const base = state.config.retryAfterSeconds
  const retryAfter = base + Math.floor(Math.random() * (base + 1))
  const response = makeResponse(tx.request, 503, undefined, { headers: [["Retry-After", String(retryAfter)]] })
  return log.pipe(
    Effect.andThen(respondInvite(ctx, tx, response)),
    Effect.catch((error) => Effect.logDebug(`overload: the 503 to ${tx.request.uri} was not sent: ${error.message}`)),
    Effect.as(true)
  )
}
