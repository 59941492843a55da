/**
 * A cheap timer service for thousands of transactions per second: one FIFO lane (one fiber, on Effect's Clock)
 * per distinct duration; setting a timer is a push, cancelling drops its action, and cancelled entries are
 * compacted once they are half a lane. Actions run one after the other on their lane's fiber; they are short.
 * Why: docs/performance.md, "Timers for thousands of transactions".
 */
import { Clock, Deferred, Effect, Exit, type Scope } from "effect"

export interface TimerEntry {
  readonly deadline: number
  /** undefined once fired or cancelled. */
  action: Effect.Effect<void> | undefined
  /** A synchronous action, called with `target` (no Effect and no closure built per timer: thousands of
   *  32 s expiries stay cheap to hold). */
  callback?: ((target: unknown) => void) | undefined
  target?: unknown
  /** The lane holding it while it is pending. */
  lane: Lane | undefined
}

interface Lane {
  entries: Array<TimerEntry | undefined>
  head: number
  /** Cancelled entries still in `entries` (from `head` on). */
  cancelled: number
  /** Set while the lane's fiber waits for its first entry. */
  idle: Deferred.Deferred<void> | undefined
}

export interface TimerLanes {
  /** Runs `action` after `ms` (> 0) on the lane for `ms`. */
  readonly schedule: (ms: number, action: Effect.Effect<void>) => Effect.Effect<TimerEntry>
  /** Runs `callback(target)` (plain bookkeeping that cannot throw) after `ms` (> 0), on the same lanes. */
  readonly scheduleCallback: <T>(ms: number, callback: (target: T) => void, target: T) => Effect.Effect<TimerEntry>
  /** Entries the lanes hold, pending or cancelled but not yet dropped. */
  readonly held: () => number
}

// Below this many, cancelled entries wait for their deadline: compacting tiny lanes is not worth a pass.
const COMPACT_MIN = 64

export const cancelTimer = (entry: TimerEntry): void => {
  entry.action = undefined
  entry.callback = undefined
  entry.target = undefined
  const lane = entry.lane
  if (lane === undefined) return // fired or cancelled already
  entry.lane = undefined
  lane.cancelled++
  if (lane.cancelled >= COMPACT_MIN && lane.cancelled * 2 >= lane.entries.length - lane.head) compact(lane)
}

/** Keeps the lane's pending entries, in order, from index 0: drops the consumed prefix and the cancelled
 *  entries. The lane's fiber reads `head` and `entries` afresh at every step, so this may run from inside
 *  one of its actions. */
const compact = (lane: Lane): void => {
  const entries = lane.entries
  let kept = 0
  for (let i = lane.head; i < entries.length; i++) {
    const entry = entries[i]
    if (entry !== undefined && entry.lane === lane) entries[kept++] = entry
  }
  entries.length = kept
  lane.head = 0
  lane.cancelled = 0
}

/** Builds the lanes; their fibers live in `scope` (closing it stops every timer). */
export const makeTimerLanes = Effect.fnUntraced(function*(scope: Scope.Scope) {
  const clock = yield* Clock.Clock
  const lanes = new Map<number, Lane>()

  const serve = (lane: Lane): Effect.Effect<void> =>
    Effect.gen(function*() {
      while (true) {
        if (lane.head >= lane.entries.length) {
          lane.entries = []
          lane.head = 0
          lane.cancelled = 0
          const idle = Deferred.makeUnsafe<void>()
          lane.idle = idle
          yield* Deferred.await(idle)
          continue
        }
        const wait = lane.entries[lane.head]!.deadline - clock.currentTimeMillisUnsafe()
        if (wait > 0) yield* Effect.sleep(wait)
        const now = clock.currentTimeMillisUnsafe()
        while (lane.head < lane.entries.length && lane.entries[lane.head]!.deadline <= now) {
          const entry = lane.entries[lane.head]!
          lane.entries[lane.head++] = undefined
          if (entry.lane === undefined) lane.cancelled--
          entry.lane = undefined
          const action = entry.action
          const callback = entry.callback
          const target = entry.target
          entry.action = undefined
          entry.callback = undefined
          entry.target = undefined
          if (callback !== undefined) callback(target)
          // A bug in one action must not stop the lane (and every timer of this duration with it).
          if (action !== undefined) yield* Effect.catchDefect(action, (defect) => Effect.logWarning("timer action died", defect))
        }
        // Drop the consumed prefix now and then, so the array does not grow without bound.
        if (lane.head > 1024 && lane.head * 2 > lane.entries.length) compact(lane)
      }
    })

  const push = (lane: Lane, ms: number, action: Effect.Effect<void> | undefined, callback?: (target: unknown) => void, target?: unknown): TimerEntry => {
    const entry: TimerEntry = { deadline: clock.currentTimeMillisUnsafe() + ms, action, callback, target, lane }
    lane.entries.push(entry)
    const idle = lane.idle
    if (idle !== undefined) {
      lane.idle = undefined
      Deferred.doneUnsafe(idle, Exit.void)
    }
    return entry
  }

  const add = (ms: number, action: Effect.Effect<void> | undefined, callback?: (target: unknown) => void, target?: unknown): Effect.Effect<TimerEntry> =>
    Effect.suspend(() => {
      const lane = lanes.get(ms)
      if (lane !== undefined) return Effect.succeed(push(lane, ms, action, callback, target))
      const created: Lane = { entries: [], head: 0, cancelled: 0, idle: undefined }
      lanes.set(ms, created)
      const entry = push(created, ms, action, callback, target)
      return Effect.as(Effect.forkIn(serve(created), scope), entry)
    })

  return {
    schedule: (ms, action) => add(ms, action),
    scheduleCallback: (ms, callback, target) => add(ms, undefined, callback as (target: unknown) => void, target),
    held: () => {
      let count = 0
      for (const lane of lanes.values()) count += lane.entries.length - lane.head
      return count
    }
  } satisfies TimerLanes
})
