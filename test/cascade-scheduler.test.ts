import { describe, expect, it } from "@effect/vitest"
import { Effect, Fiber, Queue } from "effect"
import { Scheduler } from "effect/Scheduler"
import { CascadeScheduler } from "../src/cascade-scheduler.ts"

/** Resolves on the next event-loop check phase: the turn after the one that is running now. */
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve))

describe("CascadeScheduler", () => {
  it("runs tasks scheduled by a running task in the same turn, each priority once the more urgent ones settled", async () => {
    const dispatcher = new CascadeScheduler().makeDispatcher()
    const order: Array<string> = []
    dispatcher.scheduleTask(() => {
      order.push("first")
      dispatcher.scheduleTask(() => order.push("late"), 1)
      dispatcher.scheduleTask(() => {
        order.push("second")
        dispatcher.scheduleTask(() => order.push("third"), 0)
      }, 0)
    }, 0)
    setImmediate(() => order.push("next turn"))
    await nextTurn()
    await nextTurn()
    expect(order).toEqual(["first", "second", "third", "late", "next turn"])
  })

  it("lets the event loop in when a task keeps rescheduling itself", async () => {
    const dispatcher = new CascadeScheduler().makeDispatcher()
    let runs = 0
    let stop = false
    const spin = (): void => {
      runs++
      if (!stop) dispatcher.scheduleTask(spin, 0)
    }
    dispatcher.scheduleTask(spin, 0)
    // Our own setImmediate resolves while the task still spins: the loop got its turn, after a bounded
    // number of runs (64 passes and a last round per turn; the spin's turn and ours may fall in the same
    // loop iteration).
    await nextTurn()
    expect(runs).toBeGreaterThan(1)
    expect(runs).toBeLessThanOrEqual(2 * 65)
    stop = true
    await nextTurn()
    await nextTurn()
  })

  it("a task that keeps rescheduling itself at priority 0 does not starve priority 1", async () => {
    const dispatcher = new CascadeScheduler().makeDispatcher()
    let stop = false
    let lowRan = false
    const spin = (): void => {
      if (!stop) dispatcher.scheduleTask(spin, 0)
    }
    dispatcher.scheduleTask(spin, 0)
    dispatcher.scheduleTask(() => {
      lowRan = true
    }, 1)
    await nextTurn()
    await nextTurn()
    stop = true
    expect(lowRan).toBe(true)
    await nextTurn()
  })

  it("flush runs every pending task now", () => {
    const dispatcher = new CascadeScheduler().makeDispatcher()
    const order: Array<number> = []
    dispatcher.scheduleTask(() => {
      order.push(1)
      dispatcher.scheduleTask(() => order.push(2), 0)
    }, 0)
    dispatcher.flush()
    expect(order).toEqual([1, 2])
  })

  // Twenty round trips between two fibers through Queues, counting the event-loop turns they take.
  const roundTrips = Effect.gen(function*() {
    const requests = yield* Queue.unbounded<number>()
    const replies = yield* Queue.unbounded<number>()
    const echo = yield* Effect.forkChild(Effect.forever(Effect.flatMap(Queue.take(requests), (n) => Queue.offer(replies, n * 2))))
    yield* Queue.offer(requests, 0)
    yield* Queue.take(replies) // the echo fiber has started
    let turns = 0
    let counting = true
    const tick = (): void => {
      turns++
      if (counting) setImmediate(tick)
    }
    setImmediate(tick)
    const answers: Array<number> = []
    for (let i = 1; i <= 20; i++) {
      yield* Queue.offer(requests, i)
      answers.push(yield* Queue.take(replies))
    }
    counting = false
    yield* Fiber.interrupt(echo)
    return { answers, turns }
  })

  it.effect("a Queue hand-off between fibers completes within the turn (Effect's default takes a turn per hop)", () =>
    Effect.gen(function*() {
      const cascade = yield* roundTrips.pipe(Effect.provideService(Scheduler, new CascadeScheduler()))
      expect(cascade.answers).toEqual(Array.from({ length: 20 }, (_, i) => 2 * (i + 1)))
      expect(cascade.turns).toBe(0)
      const standard = yield* roundTrips
      expect(standard.answers).toEqual(cascade.answers)
      expect(standard.turns).toBeGreaterThanOrEqual(20)
    }))
})
