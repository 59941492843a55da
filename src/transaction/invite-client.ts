/**
 * The INVITE client transaction (RFC 3261 §17.1.1, with RFC 6026's Accepted state):
 *
 *   Calling ──1xx──▶ Proceeding ──2xx──▶ Accepted ──Timer M──▶ Terminated
 *      │  └──────────2xx / 300-699─────┐     └──300-699──▶ Completed ──Timer D──▶ Terminated
 *      └─Timer B / transport error──▶ Terminated
 *
 * Timer A retransmits the INVITE at T1, 2T1, 4T1, … while Calling over UDP; Timer B (64*T1) gives up
 * while Calling. A non-2xx final is ACKed here (§17.1.1.3) and its retransmissions re-ACKed, not reported.
 * 2xx retransmissions go up while Accepted so the TU (dialog layer) can re-ACK them.
 */
import { Effect } from "effect"
import type { SipResponse } from "../sip/message.ts"
import { type ClientTimerRules, deliver, sendFor, startClientTimers, terminateClient, timeoutError } from "./client-common.ts"
import type { ClientTx, LayerContext } from "./context.ts"
import { ackFor } from "./derived-requests.ts"
import { arm, disarmAll } from "../timers/slots.ts"
import { timerD } from "./timers.ts"

/** Timer A: §17.1.1.2, doubled on every firing with no T2 cap for INVITE; Timer B gives up while Calling. */
const inviteTimers: ClientTimerRules = {
  pending: (tx) => tx.state === "calling",
  next: (_ctx, tx) => tx.interval * 2,
  expiry: "B"
}

/** Arms Timers A (UDP only) and B once the INVITE has been handed to the transport. */
export const startInviteClient = (ctx: LayerContext, tx: ClientTx): Effect.Effect<void> =>
  startClientTimers(ctx, tx, inviteTimers)

/** §17.1.1.2 / RFC 6026 §8.4: a response matched to this transaction. */
export const inviteClientResponse = Effect.fnUntraced(function*(ctx: LayerContext, tx: ClientTx, response: SipResponse) {
  const status = response.status
  switch (tx.state) {
    case "calling":
    case "proceeding": {
      if (status < 200) {
        // Retransmissions stop, and so does Timer B: only Calling times out.
        if (tx.state === "calling") disarmAll(tx)
        tx.state = "proceeding"
        deliver(tx, response)
        return
      }
      disarmAll(tx)
      deliver(tx, response)
      if (status < 300) {
        tx.state = "accepted"
        yield* arm(ctx.lanes, tx, "expiry", ctx.timers.timeout, Effect.sync(() => terminateClient(ctx, tx)))
        return
      }
      tx.state = "completed"
      const ack = ackFor(tx.request, response)
      tx.ack = ack
      yield* sendFor(ctx, tx, ack)
      if (tx.state !== "completed") return
      yield* arm(ctx.lanes, tx, "expiry", timerD(ctx.timers, tx.reliable), Effect.sync(() => terminateClient(ctx, tx)))
      return
    }
    case "completed": {
      // A retransmitted final: ACK again, absorbed.
      if (status >= 300 && tx.ack !== undefined) yield* sendFor(ctx, tx, tx.ack)
      return
    }
    case "accepted": {
      if (status >= 200 && status < 300) deliver(tx, response)
      return
    }
    default:
      return
  }
})

/** §9.1: with a CANCEL sent, the INVITE is considered cancelled if no final response arrives in 64*T1. */
export const armCancelGuard = (ctx: LayerContext, tx: ClientTx): Effect.Effect<void> =>
  arm(
    ctx.lanes,
    tx,
    "expiry",
    ctx.timers.timeout,
    Effect.sync(() => {
      if (tx.state === "proceeding" || tx.state === "calling") terminateClient(ctx, tx, timeoutError(tx, "B after CANCEL"))
    })
  )
