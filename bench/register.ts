/**
 * REGISTER transactions per second with digest authentication, through UDP loopback, against a SipStack made
 * a registrar by withRegistrar (the same composition as `node dist/main.js --registrar --users FILE`). The user
 * agents (bench/register-client.ts) run in a child process, so the server has its own core, and the server's
 * CPU per registration (this process only) is printed beside the rate: on a shared machine that is the figure
 * to compare. Two modes, one after the other on the same server: "challenged", where a registration is one
 * challenged REGISTER pair (401, then 200), printed as `N registrations/s`; and "refresh", what a registered UA
 * does (the last nonce again with nc + 1: one transaction, no 401), printed as `N refreshes/s`. Both also
 * print REGISTER transactions/s.
 *
 * Measured (2 shared cores, load 3-5): SQLite 776/s at 1041 µs/registration before the batched location
 * store and the one-shot hashes, 1418-1659/s at 404-469 µs after; PostgreSQL 252/s at 3056 µs before,
 * 1547-1858/s at 479-526 µs after. What remains is mostly the SIP stack itself (UDP send, parse, transactions).
 * The refresh mode and the third pass's figures: docs/performance.md ("Registrar").
 *
 * Run: npm run bench:register   (Node 24 runs this file and ../src directly)
 * Env: BENCH_BACKEND=sqlite|postgres|memory (postgres: a private server started as the tests do),
 *      BENCH_SECONDS=5, BENCH_CONCURRENCY=64, BENCH_USERS=1000, BENCH_MODES=challenged,refresh.
 */
import { Effect, Exit, Layer, Scope } from "effect"
import { spawn } from "node:child_process"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { createInterface } from "node:readline"
import { SipStack } from "../src/api/sip-stack.ts"
import { withRegistrar } from "../src/api/with-registrar.ts"
import { UserStoreLive } from "../src/auth/user-store.ts"
import { LocationMemory } from "../src/registrar/location-memory.ts"
import { PostgresLocation } from "../src/storage/postgres.ts"
import { SqliteLocation } from "../src/storage/sqlite.ts"
import { freePort } from "../test/support/example-process.ts"
import { startPostgres } from "../test/support/postgres-server.ts"

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5)
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 64)
const USERS = Number(process.env.BENCH_USERS ?? 1000)
const backend = process.env.BENCH_BACKEND ?? "sqlite"

const dir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "effect-sip-bench-reg-"))
const pg = backend === "postgres" ? startPostgres(await freePort()) : undefined
const location = backend === "memory" ? LocationMemory.layer : pg === undefined ? SqliteLocation.layer(dir) : PostgresLocation.layer(pg.url)
const users = Array.from({ length: USERS }, (_, i) => `u${i}:pw${i}`).join("\n")
const stackLayer = SipStack.layer({ host: "127.0.0.1", port: 0, rtpPortMin: 50900, rtpPortMax: 50999 }).pipe(
  Layer.provide(withRegistrar({
    location,
    users: UserStoreLive.fromText(users),
    challenger: { realm: "bench", algorithms: ["MD5"], threshold: 1_000_000 }
  }))
)
const scope = await Effect.runPromise(Scope.make())
const context = await Effect.runPromise(Layer.buildWithScope(stackLayer, scope))
const port = context.mapUnsafe.get(SipStack.key)!.local[0]!.port

interface Result { clientCpuMs: number; done: number; challenged: number; failed: number; failures: Record<string, number>; resent: number; elapsed: number }

/** One measured run of the clients in `mode`; the server's CPU (this process) over its window. */
const run = async (mode: "challenged" | "refresh") => {
  const client = spawn(process.execPath, [Path.join(import.meta.dirname, "register-client.ts"), ...[port, CONCURRENCY, USERS, SECONDS].map(String), mode], {
    stdio: ["ignore", "pipe", "inherit"]
  })
  let cpuAtStart = process.cpuUsage()
  let result: Result | undefined
  for await (const line of createInterface({ input: client.stdout! })) {
    if (line === "start") cpuAtStart = process.cpuUsage()
    else result = JSON.parse(line)
  }
  const cpu = process.cpuUsage(cpuAtStart)
  if (result === undefined) throw new Error("the client printed no result")
  return { ...result, cpuMs: (cpu.user + cpu.system) / 1000 }
}

const modes = (process.env.BENCH_MODES ?? "challenged,refresh").split(",") as ReadonlyArray<"challenged" | "refresh">
const results = []
for (const mode of modes) results.push([mode, await run(mode)] as const)
await Effect.runPromise(Scope.close(scope, Exit.void))
pg?.stop()
Fs.rmSync(dir, { recursive: true, force: true })
console.log(`backend ${backend}, ${CONCURRENCY} agents, ${USERS} users, ${SECONDS} s per mode, load average ${Os.loadavg().map((l) => l.toFixed(1)).join(" ")}`)
for (const [mode, { challenged, clientCpuMs, cpuMs, done, elapsed, failed, failures, resent }] of results) {
  const rate = done / elapsed
  // A challenged registration is two REGISTER transactions (401, then 200); a refresh is one (200).
  const transactions = mode === "challenged" ? 2 * done : done + challenged
  const what = mode === "challenged" ? "registrations/s (REGISTER → 401 → REGISTER → 200)" : "refreshes/s (the last nonce again with nc + 1 → 200)"
  console.log(`${mode}: ${done} done, ${failed} failed ${JSON.stringify(failures)}, ${resent} requests sent again${mode === "refresh" ? `, ${challenged} challenged again` : ""}`)
  console.log(`  ${Math.round(rate)} ${what}, ${Math.round(transactions / elapsed)} REGISTER transactions/s`)
  console.log(`  server CPU ${(cpuMs * 1000 / Math.max(done, 1)).toFixed(0)} µs per ${mode === "challenged" ? "registration" : "refresh"}, ${(cpuMs * 1000 / Math.max(transactions, 1)).toFixed(0)} µs per transaction (${(cpuMs / 1000 / elapsed * 100).toFixed(0)}% of a core; the client process used ${(clientCpuMs / 1000).toFixed(1)} s of CPU)`)
}
