/**
 * Carrying out an accepted REFER (RFC 3515 §2.4.4–§2.4.5): the new call placed to the Refer-To target (with
 * Replaces and Referred-By when the REFER gave them), its progress reported to the referrer by NOTIFY in
 * the REFER's dialog (message/sipfrag: 100 Trying, 18x, then 200 or the failure, the last one terminating
 * the implicit subscription), and the referred call ended once the new one is answered, unless told not to.
 */
import { Effect, PubSub } from "effect"
import type { EndReason } from "../session/call-state.ts"
import type { CoordinatorContext } from "../session/context.ts"
import { hangUp } from "../session/in-call.ts"
import { placeCall } from "../session/outgoing-call.ts"
import type { SessionRecord } from "../session/session-record.ts"
import type { IncomingRefer, ReferAcceptOptions } from "./refer-decision.ts"
import { referEvent, SIPFRAG, sipfrag } from "./sipfrag.ts"

interface Status {
  readonly status: number
  readonly reason: string
}

/** The status line a NOTIFY reports for how the new call ended (before it was answered). */
export const endStatus = (reason: EndReason): Status => {
  switch (reason._tag) {
    case "Rejected":
      return { status: reason.status, reason: reason.reason }
    case "Cancelled":
      return { status: 487, reason: "Request Terminated" }
    case "TimedOut":
      return reason.what === "ring" ? { status: 487, reason: "Request Terminated" } : { status: 408, reason: "Request Timeout" }
    default:
      return { status: 503, reason: "Service Unavailable" }
  }
}

/** The NOTIFY for one status; a final one ends the subscription. Its failure (the referrer gone) changes nothing. */
const notify = (ctx: CoordinatorContext, record: SessionRecord, cseq: number, { reason, status }: Status) =>
  ctx.dialog.request(record.legId, "NOTIFY", {
    headers: [
      ["Event", referEvent(cseq)],
      ["Subscription-State", status < 200 ? "active;expires=60" : "terminated;reason=noresource"]
    ],
    body: { contentType: SIPFRAG, bytes: sipfrag(status, reason) }
  }).pipe(Effect.ignore)

export const followReferredCall = (
  ctx: CoordinatorContext,
  record: SessionRecord,
  refer: IncomingRefer,
  options: ReferAcceptOptions,
  cseq: number
) =>
  Effect.gen(function*() {
    const report = (status: Status) => refer.subscription ? notify(ctx, record, cseq, status) : Effect.void
    yield* report({ status: 100, reason: "Trying" })
    // Subscribed before the call is placed: none of its events is missed.
    const events = yield* PubSub.subscribe(ctx.events)
    const headers: Array<readonly [string, string]> = []
    if (refer.replaces !== undefined) headers.push(["Replaces", refer.replaces])
    if (refer.referredBy !== undefined) headers.push(["Referred-By", refer.referredBy])
    const placed = yield* placeCall(ctx, { target: refer.target, headers, media: options.media ?? record.source }).pipe(Effect.result)
    if (placed._tag === "Failure") {
      yield* Effect.logInfo("transfer failed", { session: record.id, error: placed.failure.reason })
      return yield* report({ status: placed.failure._tag === "ApplicationError" ? 400 : 503, reason: placed.failure.reason })
    }
    const id = placed.success
    while (true) {
      const event = yield* PubSub.take(events)
      if (event.sessionId !== id) continue
      if (event._tag === "CallEnded") return yield* report(endStatus(event.reason))
      if (event._tag !== "StateChanged") continue
      if (event.to === "Ringing") yield* report({ status: 180, reason: "Ringing" })
      if (event.to === "EarlyMedia") yield* report({ status: 183, reason: "Session Progress" })
      if (event.to !== "Active") continue
      yield* report({ status: 200, reason: "OK" })
      yield* Effect.logInfo("transferred", { session: record.id, to: id })
      if (options.endReferred !== false) yield* hangUp(ctx, record, { _tag: "NormalClearing", by: "local" }).pipe(Effect.ignore)
      return
    }
  }).pipe(Effect.scoped)
