/**
 * How the server's V8 runs its garbage collections.
 *
 * "atomic" (the default) makes pauses short or rare:
 * - the young generation's semi-spaces are capped at 16 MB (V8 grows them to 64 MB under load): a
 *   scavenge's pause follows how much of the young generation is live, so smaller semi-spaces give more
 *   scavenges but each one shorter;
 * - major GCs mark on V8's helper threads and end in one pause, with no marking steps on the main thread;
 * - after a major GC the old generation may grow to 5× what survived it before the next one (V8's own
 *   factor is about 1.1–2×).
 * "incremental" is V8's default: 64 MB semi-spaces, marking steps on the main thread, its own growth.
 *
 * Measured at 1,000 calls/s, 30 s after a 30 s warm-up (bench:calls):
 * - 64 MB semi-spaces: ~3 scavenges/s of 2.8 ms mean, p99 INVITE→200 3.4–4.0 ms; 16 MB: ~10/s of
 *   1.2–1.35 ms, p99 2.3–2.8 ms, and RSS ~325 MB instead of ~390. 8 MB: no better than 16, twice the GC
 *   time; 4 MB: objects are promoted too young and the old generation needs major GCs again;
 * - incremental marking's 5–19 ms steps, again and again for 50–80 ms per cycle, set the p99 at ~10 ms; an
 *   atomic cycle is one 40–70 ms pause instead, which a SIP timer (T1 = 500 ms) or an RTP jitter buffer
 *   absorbs, while the steps delayed every call arriving during them;
 * - with V8's growth there was one such pause every ~30 s (32 s of lingering transactions fill the old
 *   generation); with 5× growth the first one comes early, while the heap is small (~4 ms), and none
 *   followed in 30 s. The price is memory: the old generation may hold up to 5× its live size.
 */
import * as V8 from "node:v8"

export const gcModes = ["atomic", "incremental"] as const
export type GcMode = typeof gcModes[number]

interface GcFlags {
  /** V8 sizes the young generation once, when node starts: these only work on node's command line. */
  readonly atStartup: ReadonlyArray<string>
  /** V8 reads these whenever a major GC starts or ends, so setting them at run time takes effect. */
  readonly atRunTime: ReadonlyArray<string>
}

// "--heap-growing-percent=0" is V8's own, dynamic growth factor.
const gcFlags: Record<GcMode, GcFlags> = {
  atomic: {
    atStartup: ["--max-semi-space-size=16"],
    atRunTime: ["--no-incremental-marking", "--heap-growing-percent=400"]
  },
  incremental: { atStartup: [], atRunTime: ["--incremental-marking", "--heap-growing-percent=0"] }
}

const flagName = (flag: string) => flag.split("=")[0]!.replaceAll("_", "-")

/** Whether node was started with this flag, in any value: on its command line or in NODE_OPTIONS. */
const startedWith = (name: string): boolean =>
  [...process.execArgv, ...(process.env["NODE_OPTIONS"] ?? "").split(/\s+/)].some((arg) => flagName(arg) === name)

/**
 * The mode's startup flags that node is running without. A flag the user gave node, in any value, is theirs
 * to keep and not missing.
 */
const missingStartupFlags = (mode: GcMode): ReadonlyArray<string> =>
  gcFlags[mode].atStartup.filter((flag) => !startedWith(flagName(flag)))

/**
 * Applies the mode. When a startup flag is missing, the process first replaces itself (execve: the same
 * pid, stdio and environment) with node started with it, and this returns in the new process, where
 * nothing is missing. Returns the startup flags it could not apply: execve is missing (Windows) or failed,
 * and the server goes on with V8's young generation.
 */
export const applyGcMode = (mode: GcMode): ReadonlyArray<string> => {
  const missing = missingStartupFlags(mode)
  if (missing.length > 0 && process.platform !== "win32" && process.execve !== undefined) {
    try {
      process.execve(process.execPath, [process.execPath, ...missing, ...process.execArgv, ...process.argv.slice(1)])
    } catch {
      // not restarted: the run-time flags below still apply
    }
  }
  for (const flag of gcFlags[mode].atRunTime) V8.setFlagsFromString(flag)
  return missing
}
