/**
 * Brute-force protection: failed authentications per key (a source address, or a username) counted by
 * Effect's RateLimiter (effect/persistence) in fixed windows. Past `threshold` failures a key is refused
 * (403) until the window opened by its first failure passes, whatever it sends. Bounded: past `capacity`
 * keys the least recently failing is forgotten (bounded-rate-store.ts), so a spray of addresses or
 * usernames costs memory we chose, not memory they chose.
 */
import { Duration, Effect } from "effect"
import { make as makeRateLimiter, type RateLimiterError, RateLimiterStore } from "effect/persistence/RateLimiter"
import { makeBoundedRateStore } from "./bounded-rate-store.ts"

export interface LimiterConfig {
  readonly threshold: number
  readonly windowMs: number
  readonly capacity: number
}

export interface FailureLimiter {
  /** Whether `key` is refused now. */
  readonly blocked: (key: string) => Effect.Effect<boolean>
  /** Counts one failure; true when this one reached the threshold (log it once). */
  readonly fail: (key: string) => Effect.Effect<boolean>
  /** Keys remembered. */
  readonly size: () => number
}

export const makeFailureLimiter = Effect.fnUntraced(function*(config: LimiterConfig) {
  const bounded = makeBoundedRateStore(config.capacity)
  const limiter = yield* makeRateLimiter.pipe(Effect.provideService(RateLimiterStore, bounded.store))
  const window = Duration.millis(config.windowMs)
  const consume = (key: string, tokens: number) =>
    limiter.consume({ key, tokens, limit: config.threshold, window, algorithm: "fixed-window", onExceeded: "fail" })
  // A full window is refused: remaining 0 on a look (zero tokens), RateLimitExceeded on one more failure.
  const exceeded = <A>(effect: Effect.Effect<A, RateLimiterError>, onExceeded: A) =>
    Effect.catch(effect, (error) => error.reason._tag === "RateLimitExceeded" ? Effect.succeed(onExceeded) : Effect.die(error))
  const notBlocked = Effect.succeed(false)
  return {
    // Nearly every key has no failures: it is not blocked, and the look costs a Map lookup.
    blocked: (key) => bounded.has(key) ? exceeded(Effect.map(consume(key, 0), (r) => r.remaining <= 0), true) : notBlocked,
    fail: (key) => exceeded(Effect.map(consume(key, 1), (r) => r.remaining === 0), false),
    size: bounded.size
  } satisfies FailureLimiter
})
