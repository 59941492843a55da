/**
 * A REFER in one of our calls (RFC 3515): its Refer-To read (400/416 when unusable), the application's
 * ReferHandler asked, 603 (or its status) when it refuses, else 202 and the transfer carried out by
 * referred-call.ts. `Refer-Sub: false` (RFC 4488 §4) is honoured: the 202 says so and no NOTIFY follows.
 */
import { Effect } from "effect"
import type { CoordinatorContext } from "../session/context.ts"
import type { SessionRecord } from "../session/session-record.ts"
import { cseqOf, getHeader, getHeaders } from "../sip/index.ts"
import type { SipRequest } from "../sip/message.ts"
import { declineRefers, type IncomingRefer, type ReferDecision } from "./refer-decision.ts"
import { isRefusal, parseReferTo } from "./refer-to.ts"
import { followReferredCall } from "./referred-call.ts"

const failed: ReferDecision = { _tag: "Reject", status: 500, reason: "Refer Handler Failed" }

export const onRefer = Effect.fnUntraced(function*(ctx: CoordinatorContext, record: SessionRecord, requestId: string, request: SipRequest) {
  const parsed = parseReferTo(getHeaders(request, "refer-to"))
  if (isRefusal(parsed)) return yield* ctx.dialog.respond(requestId, parsed.status, { reason: parsed.reason }).pipe(Effect.ignore)
  const referredBy = getHeader(request, "referred-by")
  const refer: IncomingRefer = {
    sessionId: record.id,
    ...parsed,
    ...(referredBy === undefined ? {} : { referredBy }),
    subscription: getHeader(request, "refer-sub")?.trim().toLowerCase() !== "false"
  }
  // The handler may take its time: the dialog layer's event loop does not wait for it.
  yield* decide(ctx, record, requestId, refer, cseqOf(request)?.seq ?? 0).pipe(Effect.forkIn(record.scope))
})

const decide = Effect.fnUntraced(function*(
  ctx: CoordinatorContext,
  record: SessionRecord,
  requestId: string,
  refer: IncomingRefer,
  cseq: number
) {
  const handler = ctx.config.referHandler ?? declineRefers
  const decision = yield* handler(refer).pipe(
    Effect.catchCause((cause) => Effect.as(Effect.logWarning("refer handler failed", { session: record.id, cause }), failed))
  )
  yield* Effect.logInfo("refer", { session: record.id, target: refer.target, decision: decision._tag })
  if (decision._tag === "Reject") {
    return yield* ctx.dialog.respond(requestId, decision.status, decision.reason === undefined ? {} : { reason: decision.reason })
      .pipe(Effect.ignore)
  }
  const headers: ReadonlyArray<readonly [string, string]> = refer.subscription ? [] : [["Refer-Sub", "false"]]
  yield* ctx.dialog.respond(requestId, 202, { headers })
  yield* followReferredCall(ctx, record, refer, decision.options, cseq)
})
