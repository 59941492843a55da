/**
 * The coordinator's effectful half of the call machine: feed an event, run the actions it returns.
 * An event the call's state does not allow fails with the machine's ApplicationError "InvalidState";
 * a signalling failure (BYE, CANCEL, the final non-2xx) keeps its NetworkError / ProtocolError, after
 * the remaining actions ran (the call still ends).
 */
import { Effect } from "effect"
import { ApplicationError, type NetworkError, type ProtocolError } from "../errors.ts"
import { type CallAction, type CallEvent, step } from "./call-machine.ts"
import type { CoordinatorContext } from "./context.ts"
import { publish, releaseCall } from "./context.ts"
import type { SessionRecord } from "./session-record.ts"

type SignalError = ProtocolError | NetworkError

const startMedia = Effect.fnUntraced(function*(ctx: CoordinatorContext, record: SessionRecord, announce: boolean) {
  if (record.media === undefined || record.negotiated === undefined) return
  yield* record.media.apply(record.negotiated)
  if (!announce) return
  const { codec, remoteAddress, remotePort } = record.negotiated
  yield* publish(ctx, { _tag: "MediaStarted", sessionId: record.id, codec: codec.name, remote: `${remoteAddress}:${remotePort}` })
})

const rejectOptions = (action: Extract<CallAction, { _tag: "RejectInvite" }>) => ({
  ...(action.reason === undefined ? {} : { reason: action.reason }),
  ...(action.retryAfterSeconds === undefined ? {} : { retryAfterSeconds: action.retryAfterSeconds })
})

/** A signalling failure is returned, not raised, so the actions after it still run. */
const signal = <A>(effect: Effect.Effect<A, SignalError>): Effect.Effect<SignalError | undefined> =>
  Effect.match(effect, { onFailure: (error) => error, onSuccess: () => undefined })

/** Feed `event` to the record's call machine and run its actions in order (a plain loop: this runs for
 *  every event of every call). */
export const drive = Effect.fnUntraced(function*(ctx: CoordinatorContext, record: SessionRecord, event: CallEvent) {
  const result = step(record.call, event)
  if (result instanceof ApplicationError) return yield* Effect.fail(result)
  record.call = result.call
  let failure: SignalError | undefined
  for (const action of result.actions) {
    let error: SignalError | undefined
    switch (action._tag) {
      case "StartMedia":
      case "ApplyNegotiated":
        yield* startMedia(ctx, record, action._tag === "StartMedia")
        break
      case "Publish":
        yield* publish(ctx, { _tag: "StateChanged", sessionId: record.id, from: action.from, to: action.to })
        yield* Effect.logDebug("call state", { session: record.id, from: action.from, to: action.to })
        break
      case "EndCall":
        yield* releaseCall(ctx, record, action.from, action.reason)
        break
      case "SendBye":
        error = yield* signal(ctx.dialog.request(record.legId, "BYE"))
        break
      case "RejectInvite":
        error = yield* signal(ctx.dialog.reject(record.legId, action.status, rejectOptions(action)))
        break
      case "SendCancel":
        // No CANCEL possible (the INVITE got its final response meanwhile, or none was sent): the call fails.
        error = yield* signal(ctx.dialog.cancel(record.legId))
        if (error !== undefined) yield* react(ctx, record, { _tag: "Failed", message: "CANCEL failed" })
    }
    if (failure === undefined) failure = error
  }
  if (failure !== undefined) return yield* Effect.fail(failure)
})

/** An event from the network: one the call no longer takes (a late CANCEL, a stray timeout) is dropped,
 *  a signalling failure logged; the network is not told about our errors. */
export const react = (ctx: CoordinatorContext, record: SessionRecord, event: CallEvent): Effect.Effect<void> =>
  drive(ctx, record, event).pipe(
    Effect.catch((error) =>
      error._tag === "ApplicationError"
        ? Effect.void
        : Effect.logDebug("call signalling failed", { session: record.id, event: event._tag, error })
    )
  )
