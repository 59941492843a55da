/**
 * Operations on an established call: hold, resume, hang up; and the peer's re-INVITEs. Hold and resume
 * are re-INVITEs with a new offer (RFC 3264 §8.4). A failure to send keeps its NetworkError /
 * ProtocolError; what the call's state allows is the call machine's word.
 */
import { Effect } from "effect"
import { ApplicationError } from "../errors.ts"
import type { SipRequest } from "../sip/message.ts"
import type { EndReason } from "./call-state.ts"
import { drive, react } from "./call-actions.ts"
import { step } from "./call-machine.ts"
import type { CoordinatorContext } from "./context.ts"
import { acceptAnswer, answerOffer, bodyText, makeOffer, sdpBody } from "./media-negotiation.ts"
import type { SessionRecord } from "./session-record.ts"

/** End the call, whatever its state: BYE when answered (after the ACK of our 2xx), 480 when still
 *  ringing here, CANCEL when we call. */
export const hangUp = (ctx: CoordinatorContext, record: SessionRecord, reason: EndReason) =>
  drive(ctx, record, { _tag: "Bye", by: "local", reason })

/** Re-offer with a direction: sendonly to hold, sendrecv to resume; apply the answer to the media. */
const reoffer = Effect.fnUntraced(function*(ctx: CoordinatorContext, record: SessionRecord, hold: boolean) {
  yield* drive(ctx, record, { _tag: hold ? "Hold" : "Resume" })
  const local = record.local
  const offer = local === undefined ? undefined : makeOffer(local, hold ? "sendonly" : "sendrecv")
  const refused = (message: string) =>
    Effect.andThen(
      react(ctx, record, { _tag: "ReofferAnswered", ok: false, hold }),
      Effect.fail(new ApplicationError({ reason: "Rejected", message }))
    )
  if (local === undefined || offer === undefined) return yield* refused("no media yet")
  const response = yield* ctx.dialog.request(record.legId, "INVITE", { body: sdpBody(offer) }).pipe(
    Effect.tapError(() => react(ctx, record, { _tag: "ReofferAnswered", ok: false, hold }))
  )
  if (response.status >= 300) return yield* refused(`re-INVITE answered ${response.status} ${response.reason}`)
  const negotiated = acceptAnswer(local, offer, bodyText(response.body))
  if (negotiated._tag === "BadAnswer") return yield* refused(negotiated.message)
  record.negotiated = negotiated.negotiated
  yield* drive(ctx, record, { _tag: "ReofferAnswered", ok: true, hold })
})

export const holdCall = (ctx: CoordinatorContext, record: SessionRecord) => reoffer(ctx, record, true)
export const resumeCall = (ctx: CoordinatorContext, record: SessionRecord) => reoffer(ctx, record, false)

/** The peer's re-INVITE: answer its offer (hold → recvonly etc.), or offer in the 200 when it has none
 *  (the answer then comes in the ACK). An offer we cannot answer is refused 488 and changes nothing. */
export const answerReinvite = Effect.fnUntraced(function*(
  ctx: CoordinatorContext,
  record: SessionRecord,
  requestId: string,
  request: SipRequest
) {
  const respond = (status: number, sdp?: string) =>
    ctx.dialog.respond(requestId, status, sdp === undefined ? {} : { body: sdpBody(sdp) }).pipe(Effect.ignore)
  if (record.local === undefined) return yield* respond(488)
  if (request.body.length === 0) {
    const event = { _tag: "ReinviteReceived", sdp: false, remoteHold: false } as const
    if (step(record.call, event) instanceof ApplicationError) return yield* respond(491)
    yield* react(ctx, record, event)
    // Keep our own hold if we hold.
    return yield* respond(200, makeOffer(record.local, record.local.direction))
  }
  const answer = answerOffer(record.local, bodyText(request.body))
  if (answer._tag === "NoCommonCodec") return yield* respond(488)
  const event = { _tag: "ReinviteReceived", sdp: true, remoteHold: answer.negotiated.remoteHold } as const
  if (step(record.call, event) instanceof ApplicationError) return yield* respond(491)
  yield* respond(200, answer.sdp)
  record.negotiated = answer.negotiated
  yield* react(ctx, record, event)
})
