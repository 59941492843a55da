/**
 * How the server's V8 runs its major (old-generation) GCs. "atomic": marking runs on V8's helper threads and
 * ends in one pause; "incremental" (V8's default) adds marking steps on the main thread while the heap
 * fills. Measured at 1,000 calls/s for 30 s (bench:calls): incremental marking's 5–19 ms steps, again and
 * again for 50–80 ms per cycle, set the INVITE→200 p99 at ~10 ms; atomic gives p99 ~4 ms for one 30–40 ms
 * pause per major GC (one in 30 s there). A SIP timer (T1 = 500 ms) or an RTP jitter buffer absorbs such a
 * pause; the steps delayed every call that arrived during them.
 */
import * as V8 from "node:v8"

export type GcMode = "atomic" | "incremental"

/** V8 reads this flag whenever a major GC starts, so setting it at startup takes effect. */
export const applyGcMode = (mode: GcMode): void => {
  V8.setFlagsFromString(mode === "atomic" ? "--no-incremental-marking" : "--incremental-marking")
}
