/**
 * The shutdown sequence (SIGINT/SIGTERM close the program's scope): report not ready, refuse new calls
 * (503 with Retry-After, the UAS policy's draining rule), let active calls run up to `drainSeconds`, then
 * end what is left with BYE, while the layers above the stack (metrics, call records) still run.
 */
import { Effect, Layer } from "effect"
import { SipStack } from "../api/sip-stack.ts"
import { DialogLayer } from "../dialog/dialog-layer.ts"
import { SessionCoordinator } from "../session/session-coordinator.ts"
import { Readiness } from "./readiness.ts"

const POLL = "100 millis"

const drain = (drainSeconds: number) =>
  Effect.gen(function*() {
    const readiness = yield* Readiness
    const dialogs = yield* DialogLayer
    const stack = yield* SipStack
    const coordinator = yield* SessionCoordinator
    yield* readiness.startDraining
    yield* dialogs.drain
    const active = (yield* stack.counts).sessions
    if (active === 0) return
    if (drainSeconds <= 0) return yield* coordinator.shutdown
    yield* Effect.logInfo(`draining: ${active} calls in progress, waiting up to ${drainSeconds} s before ending the rest`)
    const finished = yield* Effect.gen(function*() {
      while ((yield* stack.counts).sessions > 0) yield* Effect.sleep(POLL)
      return true
    }).pipe(Effect.timeoutOption(`${drainSeconds} seconds`))
    if (finished._tag === "None") {
      yield* Effect.logInfo(`drain deadline reached: ending ${(yield* stack.counts).sessions} calls with BYE`)
    }
    // Ended here, not by the stack's finalizer, so what sits above the stack (call records) sees every end.
    yield* coordinator.shutdown
  })

/** Registers the drain as a finalizer: built above the stack, it runs before the stack's own. */
export const drainOnShutdown = (drainSeconds: number) =>
  Layer.effectDiscard(Effect.addFinalizer(() => drain(drainSeconds)))
