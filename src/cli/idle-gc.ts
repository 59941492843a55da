/**
 * `--gc atomic` gives memory back when the server is idle. Without incremental marking V8's memory reducer
 * (which shrinks the heap once allocation stops) never runs, and with 5× old-generation growth the garbage
 * of a load, or of thousands of held calls' RTCP reports, stays in RSS until the next major GC, which an
 * idle server never reaches. So every window this looks at the event loop: when it was idle for two windows
 * in a row and the heap holds much more than the last collection left, it runs one memory-reducing full GC (V8's
 * "last-resort" flavor: it also shrinks the young generation), a pause nobody waits for at that moment.
 * Why and the figures: docs/performance.md, "Memory".
 */
import { performance } from "node:perf_hooks"
import * as V8 from "node:v8"
import * as Vm from "node:vm"
import { Effect } from "effect"

export interface IdleGcPolicy {
  /** How often the event loop is looked at. */
  readonly windowMs: number
  /** The event loop's busy share under which a window is idle (5 %: some 40 calls/s, or thousands held). */
  readonly idleBelow: number
  /** Heap bytes above what the last collection left that make an idle GC worth its pause. */
  readonly minGrowthBytes: number
}

export const defaultIdleGcPolicy: IdleGcPolicy = { windowMs: 10_000, idleBelow: 0.05, minGrowthBytes: 16 * 1024 * 1024 }

let fullGc: NodeJS.GCFunction | undefined
// node exposes `gc` to contexts made after --expose-gc is set, without putting it on the main global.
const collector = (): NodeJS.GCFunction => {
  if (fullGc === undefined) {
    V8.setFlagsFromString("--expose-gc")
    fullGc = Vm.runInNewContext("gc") as NodeJS.GCFunction
  }
  return fullGc
}

const heapUsed = () => V8.getHeapStatistics().used_heap_size

/** Runs forever (fork it in the server's scope): a memory-reducing GC in each idle window that needs one. */
export const giveMemoryBackWhenIdle = (policy: IdleGcPolicy = defaultIdleGcPolicy): Effect.Effect<never> =>
  Effect.suspend(() => {
    let last = performance.eventLoopUtilization()
    let floor = heapUsed()
    let idleWindows = 0
    const look = Effect.sync(() => {
      const now = performance.eventLoopUtilization()
      idleWindows = performance.eventLoopUtilization(now, last).utilization < policy.idleBelow ? idleWindows + 1 : 0
      last = now
      if (idleWindows >= 2 && heapUsed() - floor > policy.minGrowthBytes) {
        collector()({ type: "major", execution: "sync", flavor: "last-resort" })
        floor = heapUsed()
      } else if (heapUsed() < floor) floor = heapUsed()
    })
    return Effect.forever(Effect.andThen(Effect.sleep(policy.windowMs), look))
  })
