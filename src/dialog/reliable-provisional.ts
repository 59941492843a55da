/**
 * Reliable provisional responses at the UAS (RFC 3262 §3): when the caller requires 100rel every 18x,
 * when it only supports it every 18x (or, configured "sdp", those with a body), goes out with Require:
 * 100rel and an RSeq, and is
 * retransmitted at T1, doubling, until its PRACK. One is unacknowledged at a time: the next reliable 18x
 * and the final 2xx wait for the PRACK. 64*T1 without it: the INVITE is rejected 500 and the dialog ends.
 * A call that asked for neither costs one look at its Require/Supported values per 18x, nothing more.
 */
import { Deferred, Effect, FiberSet } from "effect"
import { ProtocolError } from "../errors.ts"
import type { SipRequest, SipResponse } from "../sip/message.ts"
import type { DialogContext } from "./context.ts"
import { ignoreFailure } from "./context.ts"

const has100rel = (request: SipRequest, key: "require" | "supported"): boolean => {
  for (const h of request.headers) if (h.key === key && h.value.trim().toLowerCase() === "100rel") return true
  return false
}

/** Whether this 18x goes reliably (§3: Require → must; Supported → as configured). */
export const wantsReliable = (ctx: DialogContext, invite: SipRequest, status: number, hasBody: boolean): boolean =>
  status > 100 &&
  (has100rel(invite, "require") || ((hasBody || ctx.reliableProvisionals === "all") && has100rel(invite, "supported")))

/** Wait until no reliable provisional is unacknowledged (before the next one or the 2xx). Waiters wake
 *  in order; one that finds a newer provisional outstanding waits again. */
export const awaitPrack = Effect.fnUntraced(function*(ctx: DialogContext, dialogId: string) {
  for (;;) {
    const outstanding = ctx.store.reliable.get(dialogId)?.outstanding
    if (outstanding === undefined) return
    yield* Deferred.await(outstanding.acked)
  }
})

/** Take the slot for the next reliable provisional (call with no yield after `awaitPrack`): its RSeq,
 *  outstanding from now on. §3 asks the first to be in 1..2^31-1 (random only RECOMMENDED): we start at
 *  1, as siphond and others do (RAck carries the CSeq too, so RSeqs need not differ across INVITEs). */
export const reserve = (ctx: DialogContext, dialogId: string): number => {
  let state = ctx.store.reliable.get(dialogId)
  if (state === undefined) {
    state = { nextRSeq: 1, outstanding: undefined }
    ctx.store.reliable.set(dialogId, state)
  }
  const rseq = state.nextRSeq++
  state.outstanding = { rseq, acked: Deferred.makeUnsafe<void, ProtocolError>() }
  return rseq
}

/** Send the reserved provisional `response` now and again at T1, 2·T1, … until its PRACK; after 64·T1
 *  without one, `expired` runs (it rejects the INVITE). */
export const sendReliably = Effect.fnUntraced(function*(
  ctx: DialogContext,
  dialogId: string,
  transactionId: string,
  response: SipResponse,
  expired: Effect.Effect<void>
) {
  const state = ctx.store.reliable.get(dialogId)
  const outstanding = state?.outstanding
  if (state === undefined || outstanding === undefined) return
  const { acked, rseq } = outstanding
  yield* ctx.transactions.respond(transactionId, response)
  const deadline = 64 * ctx.timers.t1
  const retransmit = Effect.gen(function*() {
    let elapsed = 0
    for (let interval = ctx.timers.t1; elapsed + interval < deadline; interval *= 2) {
      yield* Effect.sleep(interval)
      elapsed += interval
      if (state.outstanding?.acked !== acked) return
      yield* ignoreFailure(ctx.transactions.respond(transactionId, response))
    }
    yield* Effect.sleep(deadline - elapsed)
    if (state.outstanding?.acked !== acked) return
    state.outstanding = undefined
    // Reject first: failing `acked` ends this race.
    yield* expired
    yield* Deferred.fail(acked, new ProtocolError({ reason: "TransactionTimeout", message: `no PRACK for RSeq ${rseq} within 64*T1` }))
  })
  yield* FiberSet.run(ctx.background, Effect.raceFirst(retransmit, Effect.ignore(Deferred.await(acked))))
})

/** §3: RAck "rseq cseq method" naming our outstanding provisional; 200, else 481 (400 without RAck). */
export const onPrack = (ctx: DialogContext, dialogId: string, prack: SipRequest, inviteSeq: number | undefined): number => {
  const rack = prack.headers.find((h) => h.key === "rack")?.value.trim().split(/\s+/)
  if (rack === undefined || rack.length !== 3) return 400
  const state = ctx.store.reliable.get(dialogId)
  const outstanding = state?.outstanding
  if (state === undefined || outstanding === undefined) return 481
  if (Number(rack[0]) !== outstanding.rseq || Number(rack[1]) !== inviteSeq || rack[2]!.toUpperCase() !== "INVITE") return 481
  state.outstanding = undefined
  Deferred.doneUnsafe(outstanding.acked, Effect.void)
  return 200
}
