/**
 * Answering an incoming call the way the application decided: media first (ports, SDP answer), then
 * 180 / 183 with early media / 200. The dialog layer sends the SIP; we only state intent.
 */
import { Effect, Scope } from "effect"
import { ApplicationError } from "../errors.ts"
import { checkOperation } from "./call-state.ts"
import type { AcceptOptions } from "./call-decision.ts"
import type { CoordinatorContext } from "./context.ts"
import { endSession, publish, transition } from "./context.ts"
import { answerOffer, makeOffer, newLocalMedia, sdpBody } from "./media-negotiation.ts"
import type { SessionRecord } from "./session-record.ts"
import { startMedia, watchMedia } from "./media-watch.ts"

/** Refuse the call; the dialog is gone afterwards. */
export const rejectCall = Effect.fnUntraced(function*(
  ctx: CoordinatorContext,
  record: SessionRecord,
  status: number,
  reason?: string
) {
  const invalid = checkOperation(record.id, record.state, "reject")
  if (invalid) return yield* invalid
  if (status < 300 || status > 699) {
    return yield* new ApplicationError({ reason: "InvalidArgument", message: `reject needs a 3xx-6xx status, got ${status}` })
  }
  yield* ctx.dialog.reject(record.dialogId, status, reason === undefined ? {} : { reason }).pipe(Effect.ignore)
  yield* endSession(ctx, record, { _tag: "Rejected", status, reason: reason ?? "" })
})

/** Open the call's media (ports owned by the call's scope) and prepare our SDP: the answer to the
 *  remote offer, or our offer for a late-offer INVITE. Refuses the call when that is impossible. */
const prepareMedia = Effect.fnUntraced(function*(ctx: CoordinatorContext, record: SessionRecord) {
  const media = yield* ctx.media.open(record.source).pipe(
    Scope.provide(record.scope),
    Effect.catchTag("NetworkError", (error) =>
      Effect.gen(function*() {
        yield* ctx.dialog.reject(record.dialogId, 503, { headers: [["Retry-After", "5"]] }).pipe(Effect.ignore)
        yield* endSession(ctx, record, { _tag: "Failed", message: `media: ${error.reason}` })
        return yield* new ApplicationError({ reason: "LimitReached", message: `no media ports: ${error.reason}` })
      }))
  )
  record.media = media
  yield* watchMedia(ctx, record, media, record.scope)
  const local = newLocalMedia(media.localAddress, media.localPort, record.codecs ?? ctx.config.codecs)
  record.local = local
  if (record.remoteOffer === undefined) return makeOffer(local, "sendrecv")
  const answer = answerOffer(local, record.remoteOffer)
  if (answer._tag === "NoCommonCodec") {
    yield* ctx.dialog.reject(record.dialogId, 488).pipe(Effect.ignore)
    yield* endSession(ctx, record, { _tag: "Rejected", status: 488, reason: "Not Acceptable Here" })
    return yield* new ApplicationError({ reason: "NoCommonCodec", message: answer.message })
  }
  record.negotiated = answer.negotiated
  return answer.sdp
})

/** accept, as the application decided: answer now, ring first, or early media first. The flow runs in
 *  the call's scope, so a CANCEL during the ringing interrupts it. */
export const acceptCall = Effect.fnUntraced(function*(ctx: CoordinatorContext, record: SessionRecord, options: AcceptOptions) {
  const invalid = checkOperation(record.id, record.state, "accept")
  if (invalid) return yield* invalid
  if (options.media !== undefined) record.source = options.media
  const sdp = yield* prepareMedia(ctx, record)
  const mode = options.mode ?? "answer"
  const delay = options.delayMs ?? 0
  if (mode === "early-media" && record.negotiated !== undefined) {
    yield* ctx.dialog.provisional(record.dialogId, 183, { body: sdpBody(sdp) })
    yield* transition(ctx, record, "EarlyMedia")
    yield* startMedia(ctx, record)
    yield* Effect.sleep(delay)
  } else if (mode !== "answer") {
    yield* ctx.dialog.provisional(record.dialogId, 180)
    yield* transition(ctx, record, "Ringing")
    yield* Effect.sleep(delay)
  }
  if (record.state === "Terminated") return
  yield* ctx.dialog.accept(record.dialogId, { body: sdpBody(sdp) })
  record.accepted = true
  // Media starts when the ACK confirms the call (dialog-events.ts), not at the 200: a caller that never
  // ACKs (gone, or it gave up waiting on an overloaded server) would otherwise get 32 s of RTP, 50 packets
  // a second, while the 2xx is retransmitted; under overload that traffic is what kept the server saturated.
}, (effect) =>
  Effect.catchTags(effect, {
    ProtocolError: (error) => Effect.fail(new ApplicationError({ reason: "InvalidState", message: error.message })),
    NetworkError: (error) => Effect.fail(new ApplicationError({ reason: "InvalidState", message: `network: ${error.reason}` }))
  }))

