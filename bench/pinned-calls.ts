/**
 * npm run bench:pinned-calls: two ways a call's objects survive V8's young-generation GCs after the call
 * ended, promoted to the old generation (what made our scavenge pauses, and so the latency tail, grow).
 * Each "call" makes a ~10 KB object graph that dies with it; a young GC should find it all dead.
 *
 *  - Map vs RegistryMap: the call's entry sits in a long-lived Map for five calls. V8's rehashed tables keep
 *    stale slots (old table linked to the new one), and once one table is old every young GC treats them as
 *    live. A RegistryMap's stale slots reach only emptied boxes (src/registry-map.ts).
 *  - per-call vs module-level generator function: `Effect.gen(function*() { … })` inside a per-call function
 *    makes a new generator function per call; V8 gives each its own hidden class, in the old generation, which
 *    pins the function and all it closes over. One module-level generator function (Effect.fnUntraced)
 *    taking the call's values as arguments does not.
 *
 * Each case runs in its own process (`node --trace-gc-nvp`) and prints the bytes promoted per call (by young
 * and full GCs) and the time spent in each kind of GC.
 */
import { execFileSync } from "node:child_process"
import { RegistryMap } from "../src/registry-map.ts"

const CALLS = 100_000
const cases = ["Map", "RegistryMap", "per-call generator", "module-level generator"] as const
type Case = (typeof cases)[number]

const graph = () => Array.from({ length: 64 }, (_, i) => ({ i, name: `leg-${i}`, samples: [i, i + 1, i + 2] }))

function* touchAll(legs: ReturnType<typeof graph>) {
  legs[0].i += 1
}

const makeCall = (kind: Case): ((n: number) => void) => {
  if (kind === "Map" || kind === "RegistryMap") {
    const registry: Map<string, unknown> = kind === "Map" ? new Map() : new RegistryMap()
    const live: Array<string> = []
    return (n) => {
      const key = `call-${n}`
      registry.set(key, { key, legs: graph() })
      live.push(key)
      if (live.length > 5) registry.delete(live.shift()!)
    }
  }
  if (kind === "per-call generator") {
    return () => {
      const legs = graph()
      ;(function*() {
        legs[0].i += 1
      })().next()
    }
  }
  return () => void touchAll(graph()).next()
}

const run = async (kind: Case) => {
  const call = makeCall(kind)
  for (let n = 0; n < 1000; n++) call(n)
  // Long-lived structures are old from here on, as a server's are after its first seconds.
  ;(globalThis as { gc?: () => void }).gc?.()
  console.log("MARK")
  // In slices on the event loop, as a server's calls arrive.
  for (let n = 0; n < CALLS; n += 1000) {
    for (let i = n; i < n + 1000; i++) call(i)
    await new Promise((resolve) => setImmediate(resolve))
  }
}

// --trace-gc-nvp lines after MARK: "... pause=<ms> ... gc=<s|mc|...> ... promoted=<bytes> ..."
const summarize = (kind: string, trace: string) => {
  let promoted = 0, scavengeMs = 0, scavenges = 0, majors = 0, majorMs = 0
  for (const line of trace.slice(trace.indexOf("MARK")).split("\n")) {
    const fields = new Map(line.split(/\s+/).map((field) => field.split("=") as [string, string]))
    if (!fields.has("gc")) continue
    promoted += Number(fields.get("promoted") ?? 0)
    if (fields.get("gc") === "s") {
      scavenges++
      scavengeMs += Number(fields.get("pause") ?? 0)
    } else {
      majors++
      majorMs += Number(fields.get("pause") ?? 0)
    }
  }
  console.log(
    `${kind.padEnd(24)} calls=${CALLS} promoted_kb_per_call=${(promoted / CALLS / 1024).toFixed(2)} ` +
      `scavenges=${scavenges} scavenge_ms=${scavengeMs.toFixed(1)} major_gcs=${majors} major_ms=${majorMs.toFixed(1)}`
  )
}

const child = process.argv[2] as Case | undefined
if (child !== undefined) await run(child)
else {
  for (const kind of cases) {
    const trace = execFileSync(process.execPath, ["--expose-gc", "--trace-gc-nvp", import.meta.filename, kind], {
      encoding: "utf8",
      maxBuffer: 64 * 1024 * 1024
    })
    summarize(kind, trace)
  }
}
