/**
 * UPDATE (RFC 3311) in a call, both directions. The peer's UPDATE: without a body it changes no session
 * (a session refresh) and gets 200; with an offer it is answered in the 200, early (once the INVITE's
 * exchange is done) or confirmed, as the call machine allows. Our own offer outstanding → 491; theirs
 * still unanswered → 500 with Retry-After (§5.2). Ours: `update` re-offers (with glare retry) or, without
 * SDP, refreshes the session. `headers` go on our 2xx (a session refresh's Session-Expires).
 */
import { Effect, Random } from "effect"
import { ApplicationError } from "../errors.ts"
import type { SipRequest } from "../sip/message.ts"
import { react } from "./call-actions.ts"
import { step } from "./call-machine.ts"
import { checkOperation } from "./call-state.ts"
import type { CoordinatorContext } from "./context.ts"
import { reoffer } from "./in-call.ts"
import { answerOffer, bodyText, sdpBody } from "./media-negotiation.ts"
import type { UpdateOptions } from "./session-coordinator.ts"
import type { SessionRecord } from "./session-record.ts"

export const answerUpdate = Effect.fnUntraced(function*(
  ctx: CoordinatorContext,
  record: SessionRecord,
  requestId: string,
  request: SipRequest,
  headers: ReadonlyArray<readonly [string, string]> = []
) {
  const respond = (status: number, options: Parameters<typeof ctx.dialog.respond>[2] = {}) =>
    ctx.dialog.respond(requestId, status, status === 200 ? { ...options, headers } : options).pipe(Effect.ignore, Effect.as(status))
  if (request.body.length === 0) return yield* respond(200)
  const probe = { _tag: "UpdateReceived", remoteHold: false } as const
  if (record.local === undefined || step(record.call, probe) instanceof ApplicationError) {
    const offerAnswer = record.call.offerAnswer
    if (offerAnswer === "OfferSent") return yield* respond(491)
    return yield* respond(500, { retryAfterSeconds: yield* Random.nextIntBetween(0, 10) })
  }
  const answer = answerOffer(record.local, bodyText(request.body))
  if (answer._tag === "NoCommonCodec") return yield* respond(488)
  const status = yield* respond(200, { body: sdpBody(answer.sdp) })
  record.negotiated = answer.negotiated
  yield* react(ctx, record, { _tag: "UpdateReceived", remoteHold: answer.negotiated.remoteHold })
  return status
})

/** Our UPDATE: a new offer (answered in its 2xx), or none (a refresh); a non-2xx answer is "Rejected". */
export const sendUpdate = Effect.fnUntraced(function*(ctx: CoordinatorContext, record: SessionRecord, options: UpdateOptions) {
  if (options.sdp !== false) return yield* reoffer(ctx, record, "Update", "UPDATE")
  const invalid = checkOperation(record.id, record.call.state, "info")
  if (invalid !== undefined) return yield* invalid
  const response = yield* ctx.dialog.request(record.legId, "UPDATE")
  if (response.status >= 300) {
    return yield* new ApplicationError({ reason: "Rejected", message: `UPDATE answered ${response.status} ${response.reason}` })
  }
})
