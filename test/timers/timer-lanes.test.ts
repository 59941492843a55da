/**
 * Timer lanes drop cancelled entries early (an INVITE's 3-minute guard is cancelled within milliseconds),
 * and still fire every pending timer at its deadline, in order, even when an action cancels its neighbours.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Scope } from "effect"
import { TestClock } from "effect/testing"
import { cancelTimer, makeTimerLanes, type TimerEntry } from "../../src/timers/timer-lanes.ts"

const GUARD = 180_000

const lanesIn = Effect.gen(function*() {
  const scope = yield* Scope.make()
  yield* Effect.addFinalizer(() => Scope.close(scope, Exit.void))
  return yield* makeTimerLanes(scope)
})

describe("timer lanes", () => {
  it.effect("drop cancelled entries long before their deadline, and fire the ones left on time", () =>
    Effect.gen(function*() {
      const lanes = yield* lanesIn
      const fired: Array<number> = []
      const entries: Array<TimerEntry> = []
      for (let i = 0; i < 1000; i++) entries.push(yield* lanes.schedule(GUARD, Effect.sync(() => fired.push(i))))
      expect(lanes.held()).toBe(1000)
      for (let i = 0; i < 1000; i++) if (i !== 500) cancelTimer(entries[i]!)
      // Compacted whenever the cancelled were half of what the lane held: a few dozen left at most, not 999.
      expect(lanes.held()).toBeLessThan(64)
      yield* TestClock.adjust(GUARD - 1)
      expect(fired).toEqual([])
      yield* TestClock.adjust(1)
      expect(fired).toEqual([500])
      expect(lanes.held()).toBe(0)
    }))

  it.effect("an action that cancels the rest of its lane leaves later timers firing in order", () =>
    Effect.gen(function*() {
      const lanes = yield* lanesIn
      const fired: Array<string> = []
      const doomed: Array<TimerEntry> = []
      yield* lanes.schedule(1000, Effect.sync(() => {
        fired.push("first")
        for (const entry of doomed) cancelTimer(entry)
      }))
      for (let i = 0; i < 200; i++) doomed.push(yield* lanes.schedule(1000, Effect.sync(() => fired.push(`doomed ${i}`))))
      yield* TestClock.adjust(10)
      yield* lanes.schedule(1000, Effect.sync(() => fired.push("second")))
      yield* lanes.schedule(1000, Effect.sync(() => fired.push("third")))
      yield* TestClock.adjust(990)
      expect(fired).toEqual(["first"])
      yield* TestClock.adjust(10)
      expect(fired).toEqual(["first", "second", "third"])
      expect(lanes.held()).toBe(0)
    }))

  it.effect("a timer cancelled after it fired changes nothing", () =>
    Effect.gen(function*() {
      const lanes = yield* lanesIn
      let count = 0
      const fired: Array<TimerEntry> = []
      for (let i = 0; i < 100; i++) fired.push(yield* lanes.schedule(100, Effect.sync(() => count++)))
      yield* TestClock.adjust(100)
      for (const entry of fired) cancelTimer(entry)
      const pending: Array<TimerEntry> = []
      for (let i = 0; i < 100; i++) pending.push(yield* lanes.schedule(100, Effect.sync(() => count++)))
      // 50 cancelled of 100 held, under the compaction threshold: counted as 150, they would be compacted.
      for (let i = 0; i < 50; i++) cancelTimer(pending[i]!)
      expect(lanes.held()).toBe(100)
      yield* TestClock.adjust(100)
      expect(count).toBe(150)
    }))
})
