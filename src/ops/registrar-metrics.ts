/**
 * Registrar and authentication metrics, when the server is a registrar: registrar events by kind (from its
 * event stream) and digest failures and throttled requests (read from the Challenger at scrape time).
 * Without a registrar (or without users) these metrics are simply absent.
 */
import { Effect, Metric, Option, Stream } from "effect"
import { Challenger } from "../auth/challenger.ts"
import { Registrar } from "../registrar/registrar.ts"

const registrarEvents = Metric.counter("effect_sip_registrar_events_total", {
  description: "Bindings registered, refreshed, unregistered and expired"
})
const authFailures = Metric.counter("effect_sip_auth_failures_total", {
  description: "Failed digest attempts (wrong password, unknown user, stale or forged nonce, replay)"
})
const authThrottled = Metric.counter("effect_sip_auth_throttled_total", {
  description: "Requests refused 403 because their source or user failed too often"
})

const labelled = {
  Registered: Metric.withAttributes(registrarEvents, { event: "registered" }),
  Refreshed: Metric.withAttributes(registrarEvents, { event: "refreshed" }),
  Unregistered: Metric.withAttributes(registrarEvents, { event: "unregistered" }),
  Expired: Metric.withAttributes(registrarEvents, { event: "expired" })
}

/** Follows the registrar's events (scoped) and returns the per-scrape refresh of the auth counters. */
export const makeRegistrarMetrics = Effect.gen(function*() {
  const registrar = yield* Effect.serviceOption(Registrar)
  if (Option.isSome(registrar)) {
    yield* Stream.runForEach(registrar.value.events, (event) => Metric.update(labelled[event._tag], 1)).pipe(Effect.forkScoped)
  }
  const challenger = yield* Effect.serviceOption(Challenger)
  if (Option.isNone(challenger)) return Effect.void
  let seen = { failures: 0, throttled: 0 }
  return Effect.gen(function*() {
    const now = yield* challenger.value.counts
    yield* Metric.update(authFailures, Math.max(0, now.failures - seen.failures))
    yield* Metric.update(authThrottled, Math.max(0, now.throttled - seen.throttled))
    seen = now
  })
})
