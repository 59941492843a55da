// node bench/cpu-profile.cjs DIR CALLS CPU_MS_PER_CALL [TOP]: where the main thread's busy time goes, from DIR's
// .cpuprofile (node --cpu-prof). The profile's clock is wall time: on a shared machine a busy thread that waits
// for a core still counts, so only the shares are trusted, and ms/call is each share of the process's CPU per call
// (from /proc, CPU_MS_PER_CALL). A sample counts for the innermost frame of our own code
// (dist/<folder>: sip = parse/serialize, transport, transaction, dialog, session, sdp, media, …) on its stack,
// else for its own package (effect: its runtime, fibers and scheduling, the CascadeScheduler being transparent) or V8's "(garbage collector)"/"(program)".
// "logging" wins over all of them: any sample with a logger frame on its stack (Effect's Logger, our
// src/logging, console/stream writes) is logging's.
const fs = require("node:fs")
const path = require("node:path")
const [dir, callsArg, cpuArg, topArg] = process.argv.slice(2)
const file = fs.readdirSync(dir).filter((f) => f.endsWith(".cpuprofile")).sort().pop()
if (!file) { console.log("no .cpuprofile in", dir); process.exit(1) }
const profile = JSON.parse(fs.readFileSync(path.join(dir, file), "utf8"))
const calls = Number(callsArg) || 1
const byId = new Map(profile.nodes.map((n) => [n.id, n]))
const parent = new Map()
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id)

const own = (url) => url.includes("node_modules") ? undefined : /\/dist\/(.+)$/.exec(url)?.[1]
const isLogging = (cf) =>
  /\/dist\/logging\//.test(cf.url) || /effect\/dist\/(Logger|internal\/.*logger|Console)/i.test(cf.url) ||
  /^(formatLogFmt|loggerMake|withConsoleLog|format)$/.test(cf.functionName) && /effect/.test(cf.url) ||
  /node:internal\/(console|fs\/utils|streams\/writable|tty)/.test(cf.url) || cf.functionName === "writeSync"
const category = (id) => {
  let ownFolder
  for (let n = byId.get(id); n; n = byId.get(parent.get(n.id))) {
    const cf = n.callFrame
    if (isLogging(cf)) return "logging"
    if (ownFolder === undefined && !/cascade-scheduler/.test(cf.url)) {
      const rel = own(cf.url)
      if (rel !== undefined) ownFolder = rel.includes("/") ? rel.split("/")[0] : rel.replace(/\.js$/, "")
    }
  }
  if (ownFolder !== undefined) return ownFolder
  const cf = byId.get(id).callFrame
  if (cf.url === "") return cf.functionName // (garbage collector), (program), (idle), (root)
  const pkg = /node_modules\/((@[^/]+\/)?[^/]+)/.exec(cf.url)?.[1]
  return pkg ?? (cf.url.startsWith("node:") ? "node internals" : cf.url)
}

// The load starts with the first datagram: what comes before is start-up (module loading, the JIT's first pass).
const inTransport = (id) => {
  for (let n = byId.get(id); n; n = byId.get(parent.get(n.id))) if (/\/dist\/transport\//.test(n.callFrame.url)) return true
  return false
}
let first = 0
while (first < profile.samples.length && !inTransport(profile.samples[first])) first++
const ms = new Map()
let busy = 0
for (let i = first; i < profile.samples.length; i++) {
  const dt = (profile.timeDeltas[i] ?? 0) / 1000
  const c = category(profile.samples[i])
  if (c === "(idle)") continue
  busy += dt
  ms.set(c, (ms.get(c) ?? 0) + dt)
}
const cpu = Number(cpuArg) || busy / calls
console.log(`main thread busy ${busy.toFixed(0)} ms (wall) over ${calls} calls; shares, and their part of ${cpu.toFixed(3)} ms/call:`)
for (const [k, v] of [...ms].sort((a, b) => b[1] - a[1]).slice(0, Number(topArg) || 14)) {
  console.log(`  ${(cpu * v / busy).toFixed(3).padStart(7)} ms/call ${(100 * v / busy).toFixed(1).padStart(5)} %  ${k}`)
}
