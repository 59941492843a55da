/**
 * Operations on an established call: hold, resume, hang up, DTMF, mute, codec preferences; and the
 * peer's re-INVITEs. Hold and resume are re-INVITEs with a new offer (RFC 3264 §8.4).
 */
import { Deferred, Effect, Option } from "effect"
import type { NetworkError, ProtocolError } from "../errors.ts"
import { ApplicationError } from "../errors.ts"
import type { Direction } from "../sdp/negotiated.ts"
import type { SipRequest } from "../sip/message.ts"
import type { EndReason } from "./call-state.ts"
import { checkOperation } from "./call-state.ts"
import type { CoordinatorContext } from "./context.ts"
import { endSession, transition } from "./context.ts"
import { acceptAnswer, answerOffer, bodyText, makeOffer, sdpBody } from "./media-negotiation.ts"
import type { SessionRecord } from "./session-record.ts"

const asApplicationError = (error: ProtocolError | NetworkError) =>
  new ApplicationError({ reason: "InvalidState", message: `${error._tag}: ${error.reason}` })

/** How long a hang-up waits for the ACK of our 2xx before it may send BYE (§15: not before the ACK). */
const ackWaitMs = 32_000

/** End the call, whatever its state: BYE when answered, 480 when still ringing here, CANCEL when we call. */
export const hangUp = Effect.fnUntraced(function*(ctx: CoordinatorContext, record: SessionRecord, reason: EndReason) {
  const invalid = checkOperation(record.id, record.state, "end")
  if (invalid) return yield* invalid
  const previous = record.state
  const unconfirmed = record.direction === "incoming" && record.accepted && previous !== "Active" && previous !== "OnHold"
  // Our 2xx is out but its ACK is not in: wait for it; if it never comes the dialog layer sends the BYE itself.
  const ackArrived = unconfirmed && Option.isSome(yield* Deferred.await(record.confirmed).pipe(Effect.timeoutOption(ackWaitMs)))
  if (record.state === "Terminated") return
  const answered = ackArrived || record.state === "Active" || record.state === "OnHold"
  yield* transition(ctx, record, "Terminating")
  const sent = answered
    ? ctx.dialog.request(record.dialogId, "BYE").pipe(Effect.asVoid)
    : unconfirmed
    ? Effect.void
    : record.direction === "incoming"
    ? ctx.dialog.reject(record.dialogId, 480)
    : ctx.dialog.cancel(record.dialogId)
  yield* sent.pipe(Effect.catch((error) => Effect.logDebug("hang-up signalling failed", { session: record.id, previous, error })))
  yield* endSession(ctx, record, reason)
})

/** Re-offer with a direction: sendonly to hold, sendrecv to resume; apply the answer to the media. */
const reoffer = Effect.fnUntraced(function*(ctx: CoordinatorContext, record: SessionRecord, direction: Direction) {
  if (record.local === undefined) return yield* new ApplicationError({ reason: "InvalidState", message: "no media yet" })
  const offer = makeOffer(record.local, direction)
  const response = yield* ctx.dialog.request(record.dialogId, "INVITE", { body: sdpBody(offer) }).pipe(
    Effect.mapError(asApplicationError)
  )
  if (response.status >= 300) {
    return yield* new ApplicationError({ reason: "Rejected", message: `re-INVITE answered ${response.status} ${response.reason}` })
  }
  const negotiated = acceptAnswer(record.local, offer, bodyText(response.body))
  if (negotiated._tag === "BadAnswer") return yield* new ApplicationError({ reason: "Rejected", message: negotiated.message })
  record.negotiated = negotiated.negotiated
  if (record.media !== undefined) yield* record.media.apply(negotiated.negotiated)
})

export const holdCall = Effect.fnUntraced(function*(ctx: CoordinatorContext, record: SessionRecord) {
  const invalid = checkOperation(record.id, record.state, "hold")
  if (invalid) return yield* invalid
  yield* reoffer(ctx, record, "sendonly")
  yield* transition(ctx, record, "OnHold")
})

export const resumeCall = Effect.fnUntraced(function*(ctx: CoordinatorContext, record: SessionRecord) {
  const invalid = checkOperation(record.id, record.state, "resume")
  if (invalid) return yield* invalid
  yield* reoffer(ctx, record, "sendrecv")
  yield* transition(ctx, record, "Active")
})

/** The peer's re-INVITE: answer its offer (hold → recvonly etc.), or offer in the 200 when it has none. */
export const answerReinvite = Effect.fnUntraced(function*(
  ctx: CoordinatorContext,
  record: SessionRecord,
  requestId: string,
  request: SipRequest
) {
  if (record.local === undefined) return yield* ctx.dialog.respond(requestId, 488).pipe(Effect.ignore)
  if (request.body.length === 0) {
    // Our offer in the 200; the answer comes in the ACK (DialogConfirmed). Keep our own hold if we hold.
    record.awaitingAckAnswer = true
    return yield* ctx.dialog.respond(requestId, 200, { body: sdpBody(makeOffer(record.local, record.local.direction)) }).pipe(
      Effect.ignore
    )
  }
  const answer = answerOffer(record.local, bodyText(request.body))
  if (answer._tag === "NoCommonCodec") return yield* ctx.dialog.respond(requestId, 488).pipe(Effect.ignore)
  yield* ctx.dialog.respond(requestId, 200, { body: sdpBody(answer.sdp) }).pipe(Effect.ignore)
  record.negotiated = answer.negotiated
  if (record.media !== undefined) yield* record.media.apply(answer.negotiated)
  yield* transition(ctx, record, answer.negotiated.remoteHold ? "OnHold" : "Active")
})
