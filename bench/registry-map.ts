/**
 * npm run bench:registry-map: why the long-lived registries (sessions, dialogs, transactions) are
 * RegistryMaps and not Maps. Each "call" adds an entry whose value reaches a ~10 KB object graph and
 * deletes the entry five calls later, as a registry does under load; a young-generation GC should find
 * almost all of it dead. With a plain Map, V8's rehashed tables keep stale slots (linked old table → new
 * table), so once one table is old every graph is promoted to the old generation; a RegistryMap's stale
 * slots reach only emptied boxes. Each kind runs in its own process (`node --trace-gc-nvp`); the bench
 * prints the bytes promoted per call and the time spent in scavenges.
 */
import { execFileSync } from "node:child_process"
import { RegistryMap } from "../src/registry-map.ts"

const CALLS = 100_000
const LIVE = 5
const kinds = ["Map", "RegistryMap"] as const

const graph = () => Array.from({ length: 64 }, (_, i) => ({ i, name: `leg-${i}`, samples: [i, i + 1, i + 2] }))

const run = async (kind: (typeof kinds)[number]) => {
  const registry: Map<string, unknown> = kind === "Map" ? new Map() : new RegistryMap()
  const live: Array<string> = []
  const call = (n: number) => {
    const key = `call-${n}`
    registry.set(key, { key, legs: graph() })
    live.push(key)
    if (live.length > LIVE) registry.delete(live.shift()!)
  }
  for (let n = 0; n < 1000; n++) call(n)
  // The registry's table is old from here on, as a server's is after its first seconds.
  ;(globalThis as { gc?: () => void }).gc?.()
  console.log("MARK")
  for (let n = 0; n < CALLS; n += 1000) {
    for (let i = n; i < n + 1000; i++) call(i)
    await new Promise((resolve) => setImmediate(resolve))
  }
}

// --trace-gc-nvp lines after MARK: "... pause=<ms> ... gc=<s|mc|...> ... promoted=<bytes> ..."
const summarize = (kind: string, trace: string) => {
  let promoted = 0, minorMs = 0, minors = 0, majors = 0
  for (const line of trace.slice(trace.indexOf("MARK")).split("\n")) {
    const fields = new Map(line.split(/\s+/).map((field) => field.split("=") as [string, string]))
    if (!fields.has("gc")) continue
    promoted += Number(fields.get("promoted") ?? 0)
    if (fields.get("gc") === "s") {
      minors++
      minorMs += Number(fields.get("pause") ?? 0)
    } else majors++
  }
  console.log(
    `${kind.padEnd(12)} calls=${CALLS} promoted_kb_per_call=${(promoted / CALLS / 1024).toFixed(2)} ` +
      `scavenges=${minors} scavenge_ms=${minorMs.toFixed(1)} major_gcs=${majors}`
  )
}

const child = process.argv[2] as (typeof kinds)[number] | undefined
if (child !== undefined) await run(child)
else {
  for (const kind of kinds) {
    const trace = execFileSync(process.execPath, ["--expose-gc", "--trace-gc-nvp", import.meta.filename, kind], {
      encoding: "utf8",
      maxBuffer: 64 * 1024 * 1024
    })
    summarize(kind, trace)
  }
}
