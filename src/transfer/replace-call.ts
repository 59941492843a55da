/**
 * RFC 3891 §3: a call whose INVITE carried Replaces takes the place of the call it named once it is answered
 * and confirmed (its ACK): CallReplaced is published first (a bridge moves to the new call on it), then the
 * old call ends: BYE when it was answered, CANCEL when it was our INVITE still ringing (its 487 follows).
 */
import { Effect } from "effect"
import type { CoordinatorContext } from "../session/context.ts"
import { publish } from "../session/context.ts"
import { hangUp } from "../session/in-call.ts"
import type { SessionRecord } from "../session/session-record.ts"

export const completeReplace = Effect.fnUntraced(function*(ctx: CoordinatorContext, record: SessionRecord) {
  const old = record.replaces === undefined ? undefined : ctx.registry.get(record.replaces)
  if (old === undefined) return
  yield* Effect.logInfo("call replaced", { session: old.id, by: record.id })
  yield* publish(ctx, { _tag: "CallReplaced", sessionId: old.id, replacedBy: record.id })
  yield* hangUp(ctx, old, { _tag: "NormalClearing", by: "local" }).pipe(Effect.ignore)
})
