/**
 * The coordinator's reactions to dialog events: new calls, cancellations, confirmations (ACK), the
 * answer in a PRACK, re-INVITEs, INFO, REFER and NOTIFY (src/transfer), and every way a dialog ends.
 */
import { Deferred, Effect, Exit } from "effect"
import type { DialogEvent } from "../dialog/dialog-layer.ts"
import { react } from "./call-actions.ts"
import type { CallEvent } from "./call-events.ts"
import type { CoordinatorContext } from "./context.ts"
import { heard } from "./context.ts"
import { answerReinvite } from "./in-call.ts"
import { handleIncomingInvite } from "./incoming-invite.ts"
import { onInfo } from "./info.ts"
import { onMessage } from "./messages.ts"
import { answerUpdate } from "./update.ts"
import { onNotify } from "../transfer/on-notify.ts"
import { onRefer } from "../transfer/receive-refer.ts"
import { completeReplace } from "../transfer/replace-call.ts"
import { armSessionTimer } from "./session-timer.ts"
import { peerRefresh } from "./session-timer-rules.ts"
import type { SipRequest } from "../sip/message.ts"
import { acceptAnswer, bodyText } from "./media-negotiation.ts"
import type { SessionRecord } from "./session-record.ts"

const endEvents: Record<Extract<DialogEvent, { _tag: "DialogTerminated" }>["reason"], CallEvent> = {
  RemoteBye: { _tag: "Bye", by: "remote" },
  LocalBye: { _tag: "Bye", by: "local", reason: { _tag: "NormalClearing", by: "local" } },
  AckTimeout: { _tag: "Timeout", what: "ack" },
  Timeout: { _tag: "Timeout", what: "transaction" },
  TransportError: { _tag: "Failed", message: "transport error" }
}

/** The ACK of our 2xx. When we offered in that 2xx (late offer, or a body-less re-INVITE) it carries
 *  the answer: read here, judged by the call machine (no usable answer: the exchange failed). */
const confirm = Effect.fnUntraced(function*(ctx: CoordinatorContext, record: SessionRecord, ackBody: Uint8Array) {
  let sdp = false
  if (record.call.offerAnswer === "OfferSent" && record.local !== undefined && ackBody.length > 0) {
    const result = acceptAnswer(record.local, undefined, bodyText(ackBody))
    if (result._tag === "Negotiated") {
      record.negotiated = result.negotiated
      sdp = true
    }
  }
  const first = record.call.answer === "Sent"
  yield* react(ctx, record, { _tag: "AckReceived", sdp })
  if (!first) return
  yield* Effect.logInfo("call answered", { session: record.id, callId: record.callId })
  yield* armSessionTimer(ctx, record)
  if (record.replaces !== undefined) yield* completeReplace(ctx, record)
})

/** RFC 3262 §5: the PRACK of our offering 18x brings the answer (our offer stayed outstanding). */
const prackAnswer = (ctx: CoordinatorContext, record: SessionRecord, body: Uint8Array) => {
  if (record.call.offerAnswer !== "OfferSent" || record.call.media !== "Idle" || record.local === undefined) return Effect.void
  const result = acceptAnswer(record.local, undefined, bodyText(body))
  if (result._tag === "Negotiated") record.negotiated = result.negotiated
  const answered = typeof record.earlyOffer === "object" ? Deferred.done(record.earlyOffer.answered, Exit.void) : Effect.void
  return Effect.andThen(react(ctx, record, { _tag: "PrackReceived", sdp: result._tag === "Negotiated" }), answered)
}

/** The peer's re-INVITE or UPDATE; with a session timer, a 2xx to it refreshes the session (RFC 4028). */
const answerRefresh = Effect.fnUntraced(function*(ctx: CoordinatorContext, record: SessionRecord, requestId: string, request: SipRequest) {
  const refresh = record.sessionTimer === undefined ? undefined : peerRefresh(request, record.sessionTimer)
  const headers = refresh?.headers ?? []
  const status = request.method === "UPDATE"
    ? yield* answerUpdate(ctx, record, requestId, request, headers)
    : yield* answerReinvite(ctx, record, requestId, request, headers)
  if (refresh === undefined || status !== 200) return
  record.sessionTimer = refresh.timer
  yield* armSessionTimer(ctx, record)
})

const handle = (ctx: CoordinatorContext, event: DialogEvent): Effect.Effect<void> => {
  const record = event.dialogId === undefined ? undefined : ctx.registry.byLegId(event.dialogId)
  if (record !== undefined) heard(ctx, record)
  switch (event._tag) {
    case "IncomingInvite":
      return handleIncomingInvite(ctx, event.dialogId, event.request, event.source, event.replaces)
    case "ReinviteReceived":
      return record === undefined
        ? ctx.dialog.respond(event.requestId, 481).pipe(Effect.ignore)
        : answerRefresh(ctx, record, event.requestId, event.request)
    case "InfoReceived":
      return record === undefined
        ? ctx.dialog.respond(event.requestId, 481).pipe(Effect.ignore)
        : onInfo(ctx, record, event.requestId, event.request)
    case "ReferReceived":
    case "NotifyReceived":
      return record === undefined
        ? ctx.dialog.respond(event.requestId, 481).pipe(Effect.ignore)
        : (event._tag === "ReferReceived" ? onRefer : onNotify)(ctx, record, event.requestId, event.request)
    case "MessageReceived":
      return event.dialogId !== undefined && record === undefined
        ? ctx.dialog.respond(event.requestId, 481).pipe(Effect.ignore)
        : onMessage(ctx, record, event.requestId, event.request)
    case "InviteCancelled":
      return record === undefined ? Effect.void : react(ctx, record, { _tag: "Cancelled" })
    case "PrackReceived":
      return record === undefined ? Effect.void : prackAnswer(ctx, record, event.request.body)
    case "DialogConfirmed":
      return record === undefined ? Effect.void : confirm(ctx, record, event.ack.body)
    case "DialogTerminated":
      return record === undefined ? Effect.void : react(ctx, record, endEvents[event.reason])
  }
}

/** One event; a failure or defect while handling it is logged, never fatal to the event loop. */
export const onDialogEvent = (ctx: CoordinatorContext, event: DialogEvent): Effect.Effect<void> =>
  handle(ctx, event).pipe(
    Effect.catchCause((cause) => Effect.logWarning("dialog event handling failed", { event: event._tag, cause }))
  )
