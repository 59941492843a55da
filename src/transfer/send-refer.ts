/**
 * Transferring one of our calls (RFC 3515, RFC 5589): REFER in its dialog, blind (Refer-To the target) or
 * attended (Refer-To the other call's peer with that call's dialog as Replaces, RFC 3891 §5). The
 * transferee's NOTIFYs arrive as TransferProgress (on-notify.ts); a 2xx sipfrag ends our leg with BYE and
 * the operation succeeds. A refused REFER, a failed new call, our call ending first, or no final NOTIFY in
 * time fails it with ApplicationError "Rejected" (the call then goes on as before, unless it ended).
 */
import { Effect, PubSub } from "effect"
import { ApplicationError } from "../errors.ts"
import { defaultLocalUri } from "../session/config.ts"
import type { CoordinatorContext } from "../session/context.ts"
import { hangUp } from "../session/in-call.ts"
import type { SessionRecord } from "../session/session-record.ts"
import type { TransferTarget } from "./refer-decision.ts"

const rejected = (message: string) => new ApplicationError({ reason: "Rejected", message })

/** How long we wait for the final NOTIFY beyond the new call's ring time. */
const GRACE_MS = 32_000

export const transferCall = Effect.fnUntraced(function*(ctx: CoordinatorContext, record: SessionRecord, target: TransferTarget) {
  if (record.call.state !== "Active" && record.call.state !== "OnHold") {
    return yield* new ApplicationError({ reason: "InvalidState", message: `cannot transfer session ${record.id} in state ${record.call.state}` })
  }
  let referTo: string
  if (typeof target === "string") referTo = target
  else {
    const other = ctx.registry.get(target.replaces)
    if (other === undefined) return yield* new ApplicationError({ reason: "NoSuchSession", message: `no live session ${target.replaces}` })
    referTo = yield* ctx.dialog.replacingUri(other.legId)
  }
  return yield* Effect.scoped(Effect.gen(function*() {
    // Subscribed before the REFER goes: a NOTIFY racing its 202 is not missed.
    const events = yield* PubSub.subscribe(ctx.events)
    const response = yield* ctx.dialog.request(record.legId, "REFER", {
      headers: [["Refer-To", `<${referTo}>`], ["Referred-By", ctx.config.localUri ?? defaultLocalUri]]
    })
    if (response.status >= 300) return yield* rejected(`REFER answered ${response.status} ${response.reason}`)
    yield* Effect.logInfo("transfer accepted", { session: record.id, to: referTo })
    const final = yield* Effect.gen(function*() {
      while (true) {
        const event = yield* PubSub.take(events)
        if (event.sessionId !== record.id) continue
        if (event._tag === "CallEnded") return undefined
        if (event._tag === "TransferProgress" && event.status >= 200) return event.status
      }
    }).pipe(Effect.timeoutOption(ctx.config.ringTimeoutMs + GRACE_MS))
    if (final._tag === "None") return yield* rejected("no final NOTIFY for the transfer")
    if (final.value === undefined) return yield* rejected("the call ended before the transfer completed")
    if (final.value >= 300) return yield* rejected(`the transfer target answered ${final.value}`)
    yield* hangUp(ctx, record, { _tag: "NormalClearing", by: "local" }).pipe(Effect.ignore)
  }))
})
