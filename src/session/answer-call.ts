/**
 * Answering an incoming call the way the application decided: media first (ports, SDP answer), then
 * 180 / 183 with early media / 200. The dialog layer sends the SIP; we only state intent, and the call
 * machine (call-machine.ts) says what each step changes.
 */
import { Deferred, Effect, Scope } from "effect"
import { ApplicationError } from "../errors.ts"
import type { AcceptOptions } from "./call-decision.ts"
import { drive, react } from "./call-actions.ts"
import { step } from "./call-machine.ts"
import type { CoordinatorContext } from "./context.ts"
import { answerOffer, makeOffer, newLocalMedia, sdpBody } from "./media-negotiation.ts"
import type { SessionRecord } from "./session-record.ts"
import { watchMedia } from "./media-watch.ts"

/** Refuse the call; the dialog is gone afterwards. */
export const rejectCall = Effect.fnUntraced(function*(
  ctx: CoordinatorContext,
  record: SessionRecord,
  status: number,
  reason?: string
) {
  if (status < 300 || status > 699) {
    return yield* new ApplicationError({ reason: "InvalidArgument", message: `reject needs a 3xx-6xx status, got ${status}` })
  }
  yield* drive(ctx, record, { _tag: "Reject", status, reason })
})

/** Open the call's media (ports owned by the call's scope) and prepare our SDP: the answer to the
 *  remote offer, or our offer for a late-offer INVITE. Refuses the call when that is impossible. */
const prepareMedia = Effect.fnUntraced(function*(ctx: CoordinatorContext, record: SessionRecord) {
  const media = yield* ctx.media.open(record.source).pipe(
    Scope.provide(record.scope),
    Effect.catchTag("NetworkError", (error) =>
      Effect.gen(function*() {
        const ending = { _tag: "Failed", message: `media: ${error.reason}` } as const
        yield* react(ctx, record, { _tag: "Reject", status: 503, retryAfterSeconds: 5, ending })
        return yield* new ApplicationError({ reason: "LimitReached", message: `no media ports: ${error.reason}` })
      }))
  )
  record.media = media
  yield* watchMedia(ctx, record, media, record.scope)
  const srtp = ctx.config.srtp === undefined ? {} : { srtpPolicy: ctx.config.srtp }
  const local = newLocalMedia(media.localAddress, media.localPort, record.codecs ?? ctx.config.codecs, srtp)
  record.local = local
  if (record.remoteOffer === undefined) return makeOffer(local, "sendrecv")
  const answer = answerOffer(local, record.remoteOffer)
  if (answer._tag === "NoCommonCodec") {
    yield* react(ctx, record, { _tag: "Reject", status: 488, reason: "Not Acceptable Here" })
    return yield* new ApplicationError({ reason: "NoCommonCodec", message: answer.message })
  }
  record.negotiated = answer.negotiated
  return answer.sdp
})

/** accept, as the application decided: answer now, ring first, or early media first. The flow runs in
 *  the call's scope, so a CANCEL during the ringing interrupts it. A failure to send keeps its
 *  NetworkError / ProtocolError. */
export const acceptCall = Effect.fnUntraced(function*(ctx: CoordinatorContext, record: SessionRecord, options: AcceptOptions) {
  const allowed = step(record.call, { _tag: "Accepted" })
  if (allowed instanceof ApplicationError) return yield* Effect.fail(allowed)
  if (options.media !== undefined) record.source = options.media
  record.dtmf = options.dtmf
  const sdp = yield* prepareMedia(ctx, record)
  const mode = options.mode ?? "answer"
  const delay = options.delayMs ?? 0
  if (mode === "early-media" && record.negotiated !== undefined) {
    yield* ctx.dialog.provisional(record.legId, 183, { body: sdpBody(sdp) })
    yield* drive(ctx, record, { _tag: "Provisional", status: 183, sdp: true })
    yield* Effect.sleep(delay)
  } else if (mode === "early-media" && record.earlyOffer === "allowed") {
    // RFC 3262 §5: our offer in a reliable 183; its PRACK answers it before the 2xx repeats the offer.
    const answered = yield* Deferred.make<void>()
    record.earlyOffer = { answered }
    yield* drive(ctx, record, { _tag: "Provisional", status: 183, sdp: false, offer: true })
    yield* ctx.dialog.provisional(record.legId, 183, { body: sdpBody(sdp) })
    yield* Effect.sleep(delay)
    yield* Deferred.await(answered)
  } else if (mode !== "answer") {
    yield* ctx.dialog.provisional(record.legId, 180)
    yield* drive(ctx, record, { _tag: "Provisional", status: 180, sdp: false })
    yield* Effect.sleep(delay)
  }
  if (record.call.state === "Terminated") return
  const timerHeaders = record.sessionTimer?.answerHeaders
  yield* ctx.dialog.accept(record.legId, { body: sdpBody(sdp), ...(timerHeaders === undefined ? {} : { headers: timerHeaders }) })
  // Media starts when the ACK confirms the call (the machine's AckReceived), not at the 200: a caller that
  // never ACKs (gone, or it gave up waiting on an overloaded server) would otherwise get 32 s of RTP, 50
  // packets a second, while the 2xx is retransmitted; under overload that traffic kept the server saturated.
  yield* drive(ctx, record, { _tag: "Accepted" })
})
