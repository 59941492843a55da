/**
 * How the server's V8 runs its major (old-generation) GCs.
 *
 * "atomic" (the default) makes them rare and each one a single pause:
 * - marking runs on V8's helper threads and ends in one pause, with no marking steps on the main thread;
 * - after a major GC the old generation may grow to 5× what survived it before the next one (V8's own
 *   factor is about 1.1–2×).
 * "incremental" is V8's default: marking steps on the main thread while the heap fills, and its own growth.
 *
 * Measured at 1,000 calls/s (bench:calls):
 * - incremental marking's 5–19 ms steps, again and again for 50–80 ms per cycle, set the INVITE→200 p99 at
 *   ~10 ms; an atomic cycle is one 40–70 ms pause instead, which a SIP timer (T1 = 500 ms) or an RTP jitter
 *   buffer absorbs, while the steps delayed every call arriving during them;
 * - with V8's growth there was one such pause every ~30 s (32 s of lingering transactions fill the old
 *   generation); with 5× growth the first one comes early, while the heap is small (~4 ms), and none
 *   followed in 30 s. The price is memory: the heap may hold up to 5× its live size.
 */
import * as V8 from "node:v8"

export const gcModes = ["atomic", "incremental"] as const
export type GcMode = typeof gcModes[number]

// "--heap-growing-percent=0" is V8's own, dynamic growth factor.
const v8Flags: Record<GcMode, ReadonlyArray<string>> = {
  atomic: ["--no-incremental-marking", "--heap-growing-percent=400"],
  incremental: ["--incremental-marking", "--heap-growing-percent=0"]
}

/** V8 reads these flags whenever a major GC starts or ends, so setting them at startup takes effect. */
export const applyGcMode = (mode: GcMode): void => {
  for (const flag of v8Flags[mode]) V8.setFlagsFromString(flag)
}
