/**
 * Overload protection (RFC 3261 §21.5.4; RFC 6357 §4, RFC 7339): while the event loop stays saturated, part of
 * the new dialog-creating INVITEs are answered 503 with Retry-After by their own server transaction and never
 * reach the TU; in-dialog requests, CANCEL, ACK and responses are never shed. The admitted share comes from
 * admission.ts. Why and the figures: docs/performance.md, "Overload protection".
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
