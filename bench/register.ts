/**
 * REGISTER transactions per second with digest authentication, through UDP loopback, against a SipStack made
 * a registrar by withRegistrar (the same composition as `node dist/main.js --registrar --users FILE`). The user
 * agents (bench/register-client.ts) run in a child process, so the server has its own core, and the server's
 * CPU per registration (this process only) is printed beside the rate: on a shared machine that is the figure
 * to compare. A registration is one challenged REGISTER pair (401, then 200).
 *
 * Measured (2 shared cores, load 3-5): SQLite 776/s at 1041 µs/registration before the batched location
 * store and the one-shot hashes, 1418-1659/s at 404-469 µs after; PostgreSQL 252/s at 3056 µs before,
 * 1547-1858/s at 479-526 µs after. What remains is mostly the SIP stack itself (UDP send, parse, transactions).
 *
 * Run: npm run bench:register   (Node 24 runs this file and ../src directly)
 * Env: BENCH_BACKEND=sqlite|postgres|memory (postgres: a private server started as the tests do),
 *      BENCH_SECONDS=5, BENCH_CONCURRENCY=64, BENCH_USERS=1000.
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

const client = spawn(process.execPath, [Path.join(import.meta.dirname, "register-client.ts"), ...[port, CONCURRENCY, USERS, SECONDS].map(String)], {
  stdio: ["ignore", "pipe", "inherit"]
})
let cpuAtStart = process.cpuUsage()
let result: { clientCpuMs: number; done: number; failed: number; failures: Record<string, number>; resent: number; elapsed: number } | undefined
for await (const line of createInterface({ input: client.stdout! })) {
  if (line === "start") cpuAtStart = process.cpuUsage()
  else result = JSON.parse(line)
}
const cpu = process.cpuUsage(cpuAtStart)
await Effect.runPromise(Scope.close(scope, Exit.void))
pg?.stop()
Fs.rmSync(dir, { recursive: true, force: true })
if (result === undefined) throw new Error("the client printed no result")
const { clientCpuMs, done, elapsed, failed, failures, resent } = result
const cpuMs = (cpu.user + cpu.system) / 1000
console.log(`backend ${backend}, ${CONCURRENCY} agents, ${USERS} users, ${SECONDS} s: ${done} registered, ${failed} failed ${JSON.stringify(failures)}, ${resent} requests sent again`)
console.log(`${Math.round(done / elapsed)} registrations/s, server CPU ${(cpuMs * 1000 / Math.max(done, 1)).toFixed(0)} µs per registration (${(cpuMs / 1000 / elapsed * 100).toFixed(0)}% of a core; the client process used ${(clientCpuMs / 1000).toFixed(1)} s of CPU in all)`)
