/**
 * Preloaded into the benchmark's target (`node --import ./bench/gc-observer.ts`): writes one line per
 * garbage collection to $BENCH_GC_LOG, "<epoch seconds> <pause ms> <kind>", so bench/calls.sh can put
 * each step's GC pauses beside its latency. Why: the p99 tail at 1,000 calls/s lines up with
 * young-generation GC pauses, and a ramp should show that rather than leave it to a separate profile.
 * kind: minor (scavenge), major (mark-compact's pause), incremental (a marking step), weakcb.
 */
import { openSync, writeSync } from "node:fs"
import { constants, PerformanceObserver, performance } from "node:perf_hooks"

const file = process.env.BENCH_GC_LOG
const kinds: Record<number, string> = {
  [constants.NODE_PERFORMANCE_GC_MINOR]: "minor",
  [constants.NODE_PERFORMANCE_GC_MINOR_MARK_SWEEP]: "minor",
  [constants.NODE_PERFORMANCE_GC_MAJOR]: "major",
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: "incremental",
  [constants.NODE_PERFORMANCE_GC_WEAKCB]: "weakcb"
}

if (file !== undefined && file !== "") {
  const out = openSync(file, "a")
  new PerformanceObserver((list) => {
    let lines = ""
    for (const entry of list.getEntries()) {
      const kind = (entry as { readonly detail?: { readonly kind?: number } }).detail?.kind ?? 0
      lines += `${((performance.timeOrigin + entry.startTime) / 1000).toFixed(6)} ${entry.duration.toFixed(2)} ${kinds[kind] ?? kind}\n`
    }
    writeSync(out, lines)
  }).observe({ entryTypes: ["gc"] })
}
