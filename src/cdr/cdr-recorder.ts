/**
 * Writes a call detail record for every call of the stack: follows the session events (its own
 * subscription, one fiber) and hands each finished call's record to the CdrStore.
 */
import { Clock, Effect, Layer, Stream } from "effect"
import { SipStack } from "../api/sip-stack.ts"
import { SessionCoordinator } from "../session/session-coordinator.ts"
import { CdrStore } from "./cdr.ts"
import { makeCdrBuilder } from "./cdr-builder.ts"

export const CdrRecorder = {
  layer: Layer.effectDiscard(Effect.gen(function*() {
    const coordinator = yield* SessionCoordinator
    const store = yield* CdrStore
    const stack = yield* SipStack
    const builder = makeCdrBuilder(stack.contactUri)
    const events = yield* coordinator.subscribe
    yield* Stream.runForEach(events, (event) =>
      Effect.flatMap(Clock.currentTimeMillis, (now) => {
        const cdr = builder.observe(event, now)
        return cdr === undefined ? Effect.void : store.record(cdr)
      })
    ).pipe(Effect.forkScoped)
    // At shutdown the drain ended every call just before: let the fiber take their CallEnded (bounded),
    // then record the calls that did not end in time as ended by shutdown.
    yield* Effect.addFinalizer(() =>
      Effect.gen(function*() {
        yield* Effect.gen(function*() {
          while (builder.openCalls() > 0 && (yield* coordinator.activeSessions) === 0) yield* Effect.sleep("10 millis")
        }).pipe(Effect.timeoutOption("2 seconds"))
        const now = yield* Clock.currentTimeMillis
        yield* Effect.forEach(builder.closeAll(now), store.record, { discard: true })
      })
    )
  }))
}
