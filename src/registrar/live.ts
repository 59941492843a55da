/**
 * The live Registrar over a LocationService: REGISTER read (register-request.ts), decided
 * (apply-register.ts) and stored in one atomic update, the 200 listing every binding (§10.3 step 8), and
 * a sweeper on Effect's Clock that removes expired bindings and reports them.
 */
import { Clock, Effect, Layer, PubSub, Schedule, Stream } from "effect"
import type { UsageAnswer } from "../dialog/usage.ts"
import type { SipRequest } from "../sip/message.ts"
import { applyRegister, type RegisterOutcome } from "./apply-register.ts"
import { aorOf, type Binding, contactHeader } from "./binding.ts"
import { defaultRegistrarConfig, type RegistrarConfig } from "./config.ts"
import { LocationService } from "./location.ts"
import { readRegister } from "./register-request.ts"
import { Registrar, type RegistrarEvent } from "./registrar.ts"

type Headers = Array<readonly [string, string]>

const byQ = (a: Binding, b: Binding): number => Number(b.q ?? "1") - Number(a.q ?? "1")

/** The Date header's value (RFC 1123, whole seconds): formatted once a second, not per REGISTER. */
let dateSecond = NaN
let dateValue = ""
const httpDate = (now: number): string => {
  const second = Math.floor(now / 1000)
  if (second !== dateSecond) [dateSecond, dateValue] = [second, new Date(now).toUTCString()]
  return dateValue
}

/** §10.3 step 8: every current binding with its remaining expires, the Date, and Path when the UA supports it. */
const okAnswer = (bindings: ReadonlyArray<Binding>, path: ReadonlyArray<string>, now: number): UsageAnswer => {
  const headers: Headers = bindings.map((b) => ["Contact", contactHeader(b, now)] as const)
  for (const p of path) headers.push(["Path", p])
  headers.push(["Date", httpDate(now)])
  return { status: 200, options: { headers } }
}

const makeRegistrar = Effect.fnUntraced(function*(config: RegistrarConfig) {
  const location = yield* LocationService
  // Sliding: a lagging subscriber loses the oldest events, never slows a REGISTER.
  const pubsub = yield* PubSub.sliding<RegistrarEvent>(4096)
  yield* Effect.addFinalizer(() => PubSub.shutdown(pubsub))
  const publish = (events: ReadonlyArray<RegistrarEvent>) =>
    events.length === 0 ? Effect.void : PubSub.publishAll(pubsub, events).pipe(Effect.asVoid)

  const register = Effect.fnUntraced(function*(request: SipRequest) {
    const ask = readRegister(request)
    if ("_tag" in ask) return { status: 400, options: { reason: ask.reason } } satisfies UsageAnswer
    const now = yield* Clock.currentTimeMillis
    const outcome = yield* location.update(ask.aor, (current): { bindings: ReadonlyArray<Binding> | undefined; result: RegisterOutcome } => {
      const result = applyRegister(current, ask, now, config)
      return { bindings: result._tag === "Updated" && result.changes.length > 0 ? result.bindings : undefined, result }
    })
    switch (outcome._tag) {
      case "TooBrief":
        return { status: 423, options: { headers: [["Min-Expires", String(outcome.minExpires)]] } } satisfies UsageAnswer
      case "OutOfOrder":
        return { status: 500, options: { reason: "Out of order CSeq" } } satisfies UsageAnswer
      case "Updated":
        yield* publish(outcome.changes)
        return okAnswer([...outcome.bindings].sort(byQ), ask.supportsPath ? ask.path : [], now)
    }
  }, (effect) =>
    Effect.catchTag(effect, "LocationError", (error) =>
      Effect.as(Effect.logWarning("registrar: location service failed", error.message), {
        status: 500,
        options: { reason: "Location service unavailable", retryAfterSeconds: 5 }
      } satisfies UsageAnswer)))

  const sweep = Effect.gen(function*() {
    const gone = yield* location.expire(yield* Clock.currentTimeMillis)
    yield* publish(gone.map((binding): RegistrarEvent => ({ _tag: "Expired", binding })))
  }).pipe(Effect.catchTag("LocationError", (error) => Effect.logWarning("registrar: expiry sweep failed", error.message)))
  yield* Effect.forkScoped(Effect.repeat(sweep, Schedule.spaced(config.sweepIntervalMs)))

  return Registrar.of({
    register,
    lookup: Effect.fn("Registrar.lookup")(function*(aor: string) {
      const now = yield* Clock.currentTimeMillis
      return (yield* location.lookup(aorOf(aor) ?? aor)).filter((b) => b.expiresAt > now).sort(byQ)
    }),
    events: Stream.fromPubSub(pubsub)
  })
})

/** Needs a LocationService (LocationMemory.layer, or the SQL ones in src/storage). */
export const RegistrarLive = {
  layer: (config: Partial<RegistrarConfig> = {}) =>
    Layer.effect(Registrar, makeRegistrar({ ...defaultRegistrarConfig, ...config }))
}
