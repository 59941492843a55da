/**
 * The non-INVITE client transaction (RFC 3261 §17.1.2):
 *
 *   Trying ──1xx──▶ Proceeding ──200-699──▶ Completed ──Timer K──▶ Terminated
 *     └──────────200-699─────────────────────┘
 *   Trying/Proceeding ──Timer F / transport error──▶ Terminated
 *
 * Timer E retransmits over UDP at T1, 2T1, … capped at T2 (at T2 flat once Proceeding); Timer F is 64*T1;
 * Timer K (T4, 0 on TCP) absorbs retransmitted responses.
 */
import { Effect } from "effect"
import type { SipResponse } from "../sip/message.ts"
import { type ClientTimerRules, deliver, startClientTimers, terminateClient } from "./client-common.ts"
import type { ClientTx, LayerContext } from "./context.ts"
import { arm, disarmAll } from "../timers/slots.ts"
import { timerK } from "./timers.ts"

/** Timer E: doubled up to T2 while Trying, T2 flat once Proceeding; Timer F gives up in either. */
const nonInviteTimers: ClientTimerRules = {
  pending: (tx) => tx.state === "trying" || tx.state === "proceeding",
  next: (ctx, tx) => (tx.state === "trying" ? Math.min(2 * tx.interval, ctx.timers.t2) : ctx.timers.t2),
  expiry: "F"
}

/** Arms Timers E (UDP only) and F once the request has been handed to the transport. */
export const startNonInviteClient = (ctx: LayerContext, tx: ClientTx): Effect.Effect<void> =>
  startClientTimers(ctx, tx, nonInviteTimers)

/** §17.1.2.2: a response matched to this transaction. */
export const nonInviteClientResponse = Effect.fnUntraced(function*(ctx: LayerContext, tx: ClientTx, response: SipResponse) {
  if (tx.state !== "trying" && tx.state !== "proceeding") return // Completed: absorbed
  if (response.status < 200) {
    if (tx.state === "trying") {
      tx.state = "proceeding"
      // Timer E now fires at T2 (§17.1.2.2); the running one keeps its deadline and re-arms at T2.
    }
    deliver(tx, response)
    return
  }
  disarmAll(tx)
  tx.state = "completed"
  deliver(tx, response)
  yield* arm(ctx.lanes, tx, "expiry", timerK(ctx.timers, tx.reliable), Effect.sync(() => terminateClient(ctx, tx)))
})
