/**
 * How the server's V8 runs its garbage collections: "atomic" (default: 16 MB semi-spaces, one-pause major
 * GCs, 5× old-generation growth) or "incremental" (V8's defaults). Why and the figures: docs/performance.md,
 * "Garbage collection".
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
