/**
 * Node process health for the /metrics page: event-loop utilization since the last scrape, GC pauses (a
 * PerformanceObserver, detached with the scope) and resident memory.
 */
import { Effect, Metric } from "effect"
import { type EventLoopUtilization, performance, PerformanceObserver } from "node:perf_hooks"

const elu = Metric.gauge("effect_sip_event_loop_utilization_ratio", {
  description: "Share of time the event loop was busy since the previous scrape (0..1)"
})
const gcPause = Metric.histogram("effect_sip_gc_pause_seconds", {
  description: "Garbage-collection pauses",
  boundaries: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5]
})
const rss = Metric.gauge("effect_sip_resident_memory_bytes", { description: "Resident set size of the process" })

/** Observes GC pauses until the scope closes; returns the per-scrape refresh. */
export const makeProcessMetrics = Effect.gen(function*() {
  const context = yield* Effect.context<never>()
  const runSync = Effect.runSyncWith(context)
  yield* Effect.acquireRelease(
    Effect.sync(() => {
      const observer = new PerformanceObserver((list) => {
        for (const entry of list.getEntries()) runSync(Metric.update(gcPause, entry.duration / 1000))
      })
      observer.observe({ entryTypes: ["gc"] })
      return observer
    }),
    (observer) => Effect.sync(() => observer.disconnect())
  )
  let previous: EventLoopUtilization = performance.eventLoopUtilization()
  return Effect.suspend(() => {
    const now = performance.eventLoopUtilization()
    const since = performance.eventLoopUtilization(now, previous)
    previous = now
    return Effect.andThen(Metric.update(elu, since.utilization), Metric.update(rss, process.memoryUsage.rss()))
  })
})
