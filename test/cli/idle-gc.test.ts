/**
 * The atomic GC mode's idle policy: after two idle windows, a heap grown past the threshold is collected
 * (memory given back); while the event loop is busy, or the heap has not grown, nothing runs.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Fiber } from "effect"
import { TestClock } from "effect/testing"
import * as V8 from "node:v8"
import { giveMemoryBackWhenIdle } from "../../src/cli/idle-gc.ts"

const used = () => V8.getHeapStatistics().used_heap_size
let kept: Array<Array<number>> = []
const garbage = (megabytes: number) => {
  kept = []
  for (let i = 0; i < megabytes * 16; i++) kept.push(new Array(8192).fill(i))
  kept = []
}

describe("giveMemoryBackWhenIdle", () => {
  it.effect("collects a heap grown past the threshold after two idle windows, not before", () =>
    Effect.gen(function*() {
      // idleBelow 2: every window counts as idle here (the test's own event loop is not).
      const fiber = yield* Effect.forkChild(giveMemoryBackWhenIdle({ windowMs: 1000, idleBelow: 2, minGrowthBytes: 32 << 20 }))
      yield* TestClock.adjust(1) // the policy took its first look at the heap
      garbage(96)
      const grown = used()
      yield* TestClock.adjust(1000)
      expect(used()).toBeGreaterThan(grown - (16 << 20)) // one idle window: not yet
      yield* TestClock.adjust(1000)
      expect(used()).toBeLessThan(grown - (48 << 20))
      yield* Fiber.interrupt(fiber)
    }))

  it.effect("leaves a busy server alone", () =>
    Effect.gen(function*() {
      const fiber = yield* Effect.forkChild(giveMemoryBackWhenIdle({ windowMs: 1000, idleBelow: -1, minGrowthBytes: 0 }))
      yield* TestClock.adjust(1)
      garbage(96)
      const grown = used()
      yield* TestClock.adjust(5000)
      expect(used()).toBeGreaterThan(grown - (16 << 20))
      yield* Fiber.interrupt(fiber)
    }))
})
