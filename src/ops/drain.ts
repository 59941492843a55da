/**
 * The shutdown sequence (SIGINT/SIGTERM close the program's scope): report not ready, refuse new calls
 * (503 with Retry-After, the UAS policy's draining rule), let active calls run up to `drainSeconds`, then
 * return; the stack's own finalizer then ends what is left with BYE.
 */
import { Effect, Layer } from "effect"
import { SipStack } from "../api/sip-stack.ts"
import { DialogLayer } from "../dialog/dialog-layer.ts"
import { Readiness } from "./readiness.ts"

const POLL = "100 millis"

const drain = (drainSeconds: number) =>
  Effect.gen(function*() {
    const readiness = yield* Readiness
    const dialogs = yield* DialogLayer
    const stack = yield* SipStack
    yield* readiness.startDraining
    yield* dialogs.drain
    const active = (yield* stack.counts).sessions
    if (active === 0 || drainSeconds <= 0) return
    yield* Effect.logInfo(`draining: ${active} calls in progress, waiting up to ${drainSeconds} s before ending the rest`)
    const finished = yield* Effect.gen(function*() {
      while ((yield* stack.counts).sessions > 0) yield* Effect.sleep(POLL)
      return true
    }).pipe(Effect.timeoutOption(`${drainSeconds} seconds`))
    if (finished._tag === "None") {
      yield* Effect.logInfo(`drain deadline reached: ending ${(yield* stack.counts).sessions} calls with BYE`)
    }
  })

/** Registers the drain as a finalizer: built above the stack, it runs before the stack's own. */
export const drainOnShutdown = (drainSeconds: number) =>
  Layer.effectDiscard(Effect.addFinalizer(() => drain(drainSeconds)))
