/**
 * A fiber scheduler that lets one message's work cascade through the layers in one event-loop turn: tasks
 * scheduled during a turn run in that turn (bounded passes), most urgent priority first, so an INVITE reaches
 * its 200 in the turn it was read. Why and the figures: docs/performance.md, "The scheduler".
 */
import type { Fiber } from "effect"
import type { Scheduler, SchedulerDispatcher } from "effect/Scheduler"

/** Passes over newly scheduled tasks in one turn; a fiber that keeps yielding lets I/O in after that. */
const MAX_PASSES = 64

const runAll = (tasks: Array<() => void>): void => {
  for (let i = 0; i < tasks.length; i++) tasks[i]!()
}

class CascadeDispatcher implements SchedulerDispatcher {
  // Tasks by priority, the lowest number (the most urgent) first.
  private buckets: Array<[priority: number, tasks: Array<() => void>]> = []
  private pending = false
  private running = false

  scheduleTask(task: () => void, priority: number): void {
    const buckets = this.buckets
    let index = 0
    while (index < buckets.length && buckets[index]![0] < priority) index++
    const bucket = buckets[index]
    if (bucket !== undefined && bucket[0] === priority) bucket[1].push(task)
    else buckets.splice(index, 0, [priority, [task]])
    if (!this.pending && !this.running) {
      this.pending = true
      setImmediate(this.turn)
    }
  }

  private readonly turn = (): void => {
    this.pending = false
    this.running = true
    try {
      for (let pass = 0; pass < MAX_PASSES && this.buckets.length > 0; pass++) this.runPass()
      // Out of passes with work left (a fiber that keeps yielding): every priority still gets its pass in
      // this turn, as in Effect's own dispatcher, so no priority starves behind a busy one.
      const left = this.buckets
      this.buckets = []
      for (let i = 0; i < left.length; i++) runAll(left[i]![1])
    } finally {
      this.running = false
      if (this.buckets.length > 0 && !this.pending) {
        this.pending = true
        setImmediate(this.turn)
      }
    }
  }

  // A pass runs the most urgent tasks present.
  private runPass(): void {
    runAll(this.buckets.shift()![1])
  }

  flush(): void {
    while (this.buckets.length > 0) this.runPass()
  }
}

/** One dispatcher for every fiber, so that a hand-off between fibers stays in the current turn. */
export class CascadeScheduler implements Scheduler {
  readonly executionMode = "async" as const
  private readonly dispatcher = new CascadeDispatcher()

  shouldYield(fiber: Fiber.Fiber<unknown, unknown>): boolean {
    return fiber.currentOpCount >= fiber.cache.maxOpsBeforeYield
  }

  makeDispatcher(): SchedulerDispatcher {
    return this.dispatcher
  }
}
