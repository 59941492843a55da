/**
 * The coordinator's reactions to dialog events: new calls, cancellations, confirmations (ACK),
 * re-INVITEs, other requests, and every way a dialog ends.
 */
import { Deferred, Effect } from "effect"
import type { DialogEvent } from "../dialog/dialog-layer.ts"
import type { EndReason } from "./call-state.ts"
import type { CoordinatorContext } from "./context.ts"
import { endSession, transition } from "./context.ts"
import { answerReinvite } from "./in-call.ts"
import { handleIncomingInvite } from "./incoming-invite.ts"
import { acceptAnswer, bodyText } from "./media-negotiation.ts"
import { startMedia } from "./media-watch.ts"
import { answerInDialog, answerOutOfDialog } from "./request-policy.ts"
import type { SessionRecord } from "./session-record.ts"

const endReasonOf = (reason: Extract<DialogEvent, { _tag: "DialogTerminated" }>["reason"]): EndReason => {
  switch (reason) {
    case "RemoteBye":
      return { _tag: "NormalClearing", by: "remote" }
    case "LocalBye":
      return { _tag: "NormalClearing", by: "local" }
    case "AckTimeout":
      return { _tag: "TimedOut", what: "ack" }
    case "Timeout":
      return { _tag: "TimedOut", what: "transaction" }
    case "TransportError":
      return { _tag: "Failed", message: "transport error" }
  }
}

/** The ACK confirmed the call: its media starts now (unless early media started it at the 183). For a late
 *  offer the ACK carries the SDP answer to our offer in the 2xx, and that answer is applied. */
const confirm = Effect.fnUntraced(function*(ctx: CoordinatorContext, record: SessionRecord, ackBody: Uint8Array) {
  const expectsAnswer = record.negotiated === undefined || record.awaitingAckAnswer
  record.awaitingAckAnswer = false
  let answered = false
  if (expectsAnswer && record.local !== undefined && ackBody.length > 0) {
    const result = acceptAnswer(record.local, undefined, bodyText(ackBody))
    if (result._tag === "Negotiated") {
      record.negotiated = result.negotiated
      answered = true
    }
  }
  if (answered || !record.mediaStarted) yield* startMedia(ctx, record)
  if (record.state !== "OnHold" && record.state !== "Terminating") yield* transition(ctx, record, "Active")
  yield* Deferred.succeed(record.confirmed, undefined)
  yield* Effect.logInfo("call answered", { session: record.id, callId: record.callId })
})

const handle = (ctx: CoordinatorContext, event: DialogEvent): Effect.Effect<void> => {
  const record = "dialogId" in event ? ctx.registry.byDialogId(event.dialogId) : undefined
  switch (event._tag) {
    case "IncomingInvite":
      return handleIncomingInvite(ctx, event.dialogId, event.request, event.source)
    case "OutOfDialogRequest":
      return answerOutOfDialog(ctx, event.requestId, event.request)
    case "InDialogRequest":
      return answerInDialog(ctx, event.requestId, event.request)
    case "ReinviteReceived":
      return record === undefined
        ? ctx.dialog.respond(event.requestId, 481).pipe(Effect.ignore)
        : answerReinvite(ctx, record, event.requestId, event.request)
    case "InviteCancelled":
      return record === undefined ? Effect.void : endSession(ctx, record, { _tag: "Cancelled" })
    case "DialogConfirmed":
      return record === undefined ? Effect.void : confirm(ctx, record, event.ack.body)
    case "DialogTerminated":
      return record === undefined ? Effect.void : endSession(ctx, record, endReasonOf(event.reason))
  }
}

/** One event; a failure or defect while handling it is logged, never fatal to the event loop. */
export const onDialogEvent = (ctx: CoordinatorContext, event: DialogEvent): Effect.Effect<void> =>
  handle(ctx, event).pipe(
    Effect.catchCause((cause) => Effect.logWarning("dialog event handling failed", { event: event._tag, cause }))
  )
