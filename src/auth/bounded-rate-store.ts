/**
 * A RateLimiterStore (effect/persistence/RateLimiter) in memory with a bound on its keys: Effect's own memory
 * store keeps every key until a sweep once a minute, so failures from spoofed source addresses would cost
 * memory at the attacker's rate. Here, past `capacity` keys the least recently counted is forgotten, and a
 * look (zero tokens) at a key never stores it. Fixed windows only: the failure limits need nothing else.
 */
import { Duration, Effect } from "effect"
import { RateLimiterError, type RateLimiterStore, RateLimitStoreError } from "effect/persistence/RateLimiter"

interface Counter {
  count: number
  expiresAt: number
}

const fixedWindowsOnly = Effect.fail(
  new RateLimiterError({ reason: new RateLimitStoreError({ message: "this store keeps fixed windows only" }) })
)

export interface BoundedRateStore {
  readonly store: RateLimiterStore["Service"]
  readonly size: () => number
  /** Whether `key` has a counter (perhaps expired): a key without one has no failures. */
  readonly has: (key: string) => boolean
}

export const makeBoundedRateStore = (capacity: number): BoundedRateStore => {
  // A Map's order is insertion order: re-inserting a counted key keeps the least recently counted first.
  const counters = new Map<string, Counter>()
  const store: RateLimiterStore["Service"] = {
    // The semantics of Effect's memory store (a capped window opens on its first admission and lasts
    // refillRate × limit; past the limit the count is not taken), with the bound.
    fixedWindow: (options) =>
      Effect.clockWith((clock) =>
        Effect.sync(() => {
          const now = clock.currentTimeMillisUnsafe()
          let counter = counters.get(options.key)
          if (counter !== undefined && counter.expiresAt <= now) {
            counters.delete(options.key)
            counter = undefined
          }
          if (counter === undefined) {
            if (options.tokens <= 0) return [0, 0] as const
            counter = { count: 0, expiresAt: now + Duration.toMillis(options.refillRate) * (options.limit ?? options.tokens) }
          }
          if (options.limit !== undefined && counter.count + options.tokens > options.limit) {
            return [counter.count + options.tokens, counter.expiresAt - now] as const
          }
          counter.count += options.tokens
          if (options.limit === undefined) counter.expiresAt += Duration.toMillis(options.refillRate) * options.tokens
          counters.delete(options.key)
          counters.set(options.key, counter)
          if (counters.size > capacity) counters.delete(counters.keys().next().value!)
          return [counter.count, counter.expiresAt - now] as const
        })
      ),
    tokenBucket: () => fixedWindowsOnly,
    adaptiveConsume: () => fixedWindowsOnly,
    adaptiveFeedback: () => fixedWindowsOnly
  }
  return { store, size: () => counters.size, has: (key) => counters.has(key) }
}
