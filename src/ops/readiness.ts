/**
 * Readiness for orchestrators and SIP load balancers: ready while the stack listens, is not draining and
 * has not shed a call for overload in the last few seconds. Draining is set by the shutdown sequence
 * (drain.ts); shedding is seen by sampling the overload counter once a second.
 */
import { Context, Effect, Layer, Schedule } from "effect"
import { SipStack } from "../api/sip-stack.ts"

/** How long after the last overload rejection the stack still reports itself not ready. */
const SHED_WINDOW_MS = 5_000

export interface ReadinessService {
  /** Undefined when ready, else why not (the /readyz body). */
  readonly notReadyBecause: Effect.Effect<string | undefined>
  /** From now on: not ready (shutdown has begun). */
  readonly startDraining: Effect.Effect<void>
}

export class Readiness extends Context.Service<Readiness, ReadinessService>()("effect-sip/ops/Readiness") {
  static readonly layer = Layer.effect(Readiness, Effect.gen(function*() {
    const stack = yield* SipStack
    let draining = false
    let lastShed = yield* stack.rejectedForOverload
    let lastShedAt = Number.NEGATIVE_INFINITY
    const sample = Effect.gen(function*() {
      const shed = yield* stack.rejectedForOverload
      if (shed !== lastShed) {
        lastShed = shed
        lastShedAt = yield* Effect.clockWith((clock) => clock.currentTimeMillis)
      }
    })
    yield* sample.pipe(Effect.repeat(Schedule.spaced("1 second")), Effect.forkScoped)
    return Readiness.of({
      notReadyBecause: Effect.gen(function*() {
        if (stack.local.length === 0) return "not listening"
        if (draining) return "draining"
        yield* sample
        const now = yield* Effect.clockWith((clock) => clock.currentTimeMillis)
        return now - lastShedAt < SHED_WINDOW_MS ? "shedding load (overload protection answered 503)" : undefined
      }),
      startDraining: Effect.sync(() => { draining = true })
    })
  }))
}
