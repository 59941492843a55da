/**
 * The non-INVITE server transaction (RFC 3261 §17.2.2):
 *
 *   Trying ──TU 1xx──▶ Proceeding ──TU 200-699──▶ Completed ──Timer J──▶ Terminated
 *     └────────────TU 200-699───────────────────────┘
 *
 * Retransmitted requests: absorbed in Trying, answered with the last provisional in Proceeding, with the
 * final in Completed. Timer J is 64*T1 on UDP, 0 on TCP. A transport error terminates it.
 */
import { Effect } from "effect"
import type { NetworkError } from "../errors.ts"
import type { SipResponse } from "../sip/message.ts"
import type { LayerContext, ServerTx } from "./context.ts"
import { linger } from "./lingering.ts"
import { guardTimeout, reportFailure, requestTimeout, sendResponse } from "./server-common.ts"
import { arm } from "../timers/slots.ts"
import { timerJ, tuGuard } from "./timers.ts"

/** The TU's response. Once Completed, further responses are discarded (§17.2.2). */
export const respondNonInvite = (
  ctx: LayerContext,
  tx: ServerTx,
  response: SipResponse
): Effect.Effect<void, NetworkError> => {
  if (tx.state !== "trying" && tx.state !== "proceeding") return Effect.void
  tx.last = response
  if (response.status < 200) {
    tx.state = "proceeding"
    return sendResponse(ctx, tx, response)
  }
  tx.state = "completed"
  return Effect.andThen(sendResponse(ctx, tx, response), linger(ctx, tx, response, timerJ(ctx.timers, tx.reliable)))
}

/** Arms the TU guard (see server-common.ts) on a new transaction. */
export const startNonInviteServer = (ctx: LayerContext, tx: ServerTx): Effect.Effect<void> =>
  arm(
    ctx.lanes,
    tx,
    "expiry",
    tuGuard(ctx.timers, false),
    Effect.suspend(() => {
      if (tx.state !== "trying" && tx.state !== "proceeding") return Effect.void
      // The 408's Timer J keeps absorbing retransmissions; the TU hears of the timeout.
      return respondNonInvite(ctx, tx, requestTimeout(tx)).pipe(
        Effect.ignore,
        Effect.andThen(reportFailure(ctx, tx, guardTimeout(tx)))
      )
    })
  )
