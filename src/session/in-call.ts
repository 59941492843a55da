/**
 * Operations on an established call: hold, resume, UPDATE, hang up; and the peer's re-INVITEs. Hold and
 * resume are re-INVITEs with a new offer (RFC 3264 §8.4); `update` re-offers by UPDATE (RFC 3311). A
 * re-offer that meets glare (491, RFC 3261 §14.1) is sent again after the random interval, a bounded
 * number of times. A failure to send keeps its NetworkError / ProtocolError; what the call's state
 * allows is the call machine's word.
 */
import { Effect, Random } from "effect"
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

/** How often a re-offer that met glare is sent again before the call gives up on it. */
export const GLARE_RETRIES = 3

/** §14.1: the owner of the Call-ID (who sent the initial INVITE) waits 2.1–4 s, the other 0–2 s, in 10 ms units. */
const glareDelay = (record: SessionRecord) =>
  record.call.direction === "outgoing" ? Random.nextIntBetween(210, 400) : Random.nextIntBetween(0, 200)

type Kind = "Hold" | "Resume" | "Update"

type Headers = ReadonlyArray<readonly [string, string]>

/** One re-offer: "Glare" when the peer (491) or our own dialog (an INVITE in progress) refused it for glare. */
const offerOnce = Effect.fnUntraced(function*(
  ctx: CoordinatorContext,
  record: SessionRecord,
  kind: Kind,
  method: "INVITE" | "UPDATE",
  headers: Headers
) {
  const hold = kind === "Hold" || (kind === "Update" && record.call.state === "OnHold")
  yield* drive(ctx, record, { _tag: kind })
  const local = record.local
  const offer = local === undefined ? undefined : makeOffer(local, kind === "Update" ? local.direction : hold ? "sendonly" : "sendrecv")
  const unanswered = react(ctx, record, { _tag: "ReofferAnswered", ok: false, hold })
  const refused = (message: string) => Effect.andThen(unanswered, Effect.fail(new ApplicationError({ reason: "Rejected", message })))
  if (local === undefined || offer === undefined) return yield* refused("no media yet")
  const response = yield* ctx.dialog.request(record.legId, method, { body: sdpBody(offer), headers }).pipe(
    Effect.catchIf((error) => error._tag === "ProtocolError" && error.reason === "Glare", () => Effect.succeed(undefined)),
    Effect.tapError(() => unanswered)
  )
  if (response === undefined || response.status === 491) {
    yield* unanswered
    return "Glare" as const
  }
  if (response.status >= 300) return yield* refused(`${method} answered ${response.status} ${response.reason}`)
  const negotiated = acceptAnswer(local, offer, bodyText(response.body))
  if (negotiated._tag === "BadAnswer") return yield* refused(negotiated.message)
  record.negotiated = negotiated.negotiated
  yield* drive(ctx, record, { _tag: "ReofferAnswered", ok: true, hold })
  return "Done" as const
})

/** A re-offer, sent again after §14.1's interval while it meets glare (at most GLARE_RETRIES times). */
export const reoffer = Effect.fnUntraced(function*(
  ctx: CoordinatorContext,
  record: SessionRecord,
  kind: Kind,
  method: "INVITE" | "UPDATE",
  headers: Headers = []
) {
  for (let attempt = 0; ; attempt++) {
    if ((yield* offerOnce(ctx, record, kind, method, headers)) === "Done") return
    if (attempt >= GLARE_RETRIES) {
      return yield* new ApplicationError({ reason: "Rejected", message: `${method} met glare ${attempt + 1} times` })
    }
    yield* Effect.sleep(yield* glareDelay(record).pipe(Effect.map((units) => units * 10)))
  }
})

export const holdCall = (ctx: CoordinatorContext, record: SessionRecord) => reoffer(ctx, record, "Hold", "INVITE")
export const resumeCall = (ctx: CoordinatorContext, record: SessionRecord) => reoffer(ctx, record, "Resume", "INVITE")

/** The peer's re-INVITE: answer its offer (hold → recvonly etc.), or offer in the 200 when it has none
 *  (the answer then comes in the ACK). An offer we cannot answer is refused 488 and changes nothing.
 *  `headers` go on a 2xx (a session refresh's Session-Expires); the status we answered is returned. */
export const answerReinvite = Effect.fnUntraced(function*(
  ctx: CoordinatorContext,
  record: SessionRecord,
  requestId: string,
  request: SipRequest,
  headers: Headers = []
) {
  const respond = (status: number, sdp?: string) =>
    ctx.dialog.respond(requestId, status, {
      ...(sdp === undefined ? {} : { body: sdpBody(sdp) }),
      ...(status === 200 ? { headers } : {})
    }).pipe(Effect.ignore, Effect.as(status))
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
  const status = yield* respond(200, answer.sdp)
  record.negotiated = answer.negotiated
  yield* react(ctx, record, event)
  return status
})
