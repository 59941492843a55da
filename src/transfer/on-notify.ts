/**
 * A NOTIFY in one of our calls: the progress of a transfer we asked for (RFC 3515 §2.4.5). Answered 200 and
 * reported as TransferProgress with the status of its message/sipfrag; a NOTIFY of another event package
 * gets 489 Bad Event (RFC 6665 §4.1.3), one whose body has no status line 400.
 */
import { Effect } from "effect"
import type { CoordinatorContext } from "../session/context.ts"
import { publish } from "../session/context.ts"
import type { SessionRecord } from "../session/session-record.ts"
import { getHeader } from "../sip/index.ts"
import type { SipRequest } from "../sip/message.ts"
import { isReferEvent, sipfragStatus } from "./sipfrag.ts"

export const onNotify = Effect.fnUntraced(function*(ctx: CoordinatorContext, record: SessionRecord, requestId: string, request: SipRequest) {
  if (!isReferEvent(getHeader(request, "event"))) {
    return yield* ctx.dialog.respond(requestId, 489, { reason: "Bad Event" }).pipe(Effect.ignore)
  }
  const status = sipfragStatus(request.body)
  if (status === undefined) return yield* ctx.dialog.respond(requestId, 400, { reason: "Missing sipfrag" }).pipe(Effect.ignore)
  yield* ctx.dialog.respond(requestId, 200).pipe(Effect.ignore)
  yield* Effect.logInfo("transfer progress", { session: record.id, status })
  yield* publish(ctx, { _tag: "TransferProgress", sessionId: record.id, status })
})
