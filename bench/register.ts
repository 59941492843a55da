/**
 * REGISTER transactions per second with digest authentication, through UDP loopback: a closed loop of
 * CONCURRENCY user agents (node:dgram, in this process) each doing REGISTER → 401 → REGISTER with
 * credentials (MD5, nc=1) → 200, against a SipStack made a registrar by withRegistrar (the same composition
 * as `node dist/main.js --registrar --users FILE`). Prints "N registrations/s" (challenged REGISTER pairs).
 *
 * Run: npm run bench:register   (Node 24 runs this file and ../src directly)
 * Env: BENCH_BACKEND=sqlite|postgres (postgres: a private server started as the tests do),
 *      BENCH_SECONDS=5, BENCH_CONCURRENCY=64, BENCH_USERS=1000.
 */
import { Effect, Exit, Layer, Scope } from "effect"
import { createSocket } from "node:dgram"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { SipStack } from "../src/api/sip-stack.ts"
import { withRegistrar } from "../src/api/with-registrar.ts"
import { computeCredentials, formatCredentials, parseChallenge } from "../src/auth/index.ts"
import { UserStoreLive } from "../src/auth/user-store.ts"
import { PostgresLocation } from "../src/storage/postgres.ts"
import { SqliteLocation } from "../src/storage/sqlite.ts"
import { LocationMemory } from "../src/registrar/location-memory.ts"
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

const socket = createSocket("udp4")
await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", resolve))
const local = socket.address().port

interface Agent { user: number; cseq: number; last: string; sentAt: number }
const agents = new Map<string, Agent>()
let done = 0
let failed = 0
const failures = new Map<number, number>()
let measuring = false
let branchSeq = 0
let resent = 0

const request = (callId: string, agent: Agent, authorization?: string) => {
  const user = `u${agent.user}`
  const lines = [
    `REGISTER sip:127.0.0.1:${port} SIP/2.0`,
    `Via: SIP/2.0/UDP 127.0.0.1:${local};branch=z9hG4bK-b${++branchSeq};rport`,
    `From: <sip:${user}@bench>;tag=${callId}`,
    `To: <sip:${user}@bench>`,
    `Call-ID: ${callId}`,
    `CSeq: ${++agent.cseq} REGISTER`,
    `Contact: <sip:${user}@127.0.0.1:${local}>`,
    "Expires: 600",
    "Max-Forwards: 70",
    ...(authorization === undefined ? [] : [`Authorization: ${authorization}`]),
    "Content-Length: 0",
    "",
    ""
  ]
  agent.last = lines.join("\r\n")
  agent.sentAt = performance.now()
  socket.send(agent.last, port, "127.0.0.1")
}

// UDP may drop under load: a request unanswered for 500 ms is sent again (Timer E's first interval).
const retransmit = setInterval(() => {
  const now = performance.now()
  for (const agent of agents.values()) {
    if (now - agent.sentAt < 500) continue
    agent.sentAt = now
    resent++
    socket.send(agent.last, port, "127.0.0.1")
  }
}, 100)

socket.on("message", (msg) => {
  const text = msg.toString("latin1")
  const status = Number(text.slice(8, 11))
  const callId = /\r\nCall-ID: ([^\r]+)/i.exec(text)?.[1] ?? ""
  const agent = agents.get(callId)
  // A request sent again is answered again: only the answer to the agent's latest request counts.
  if (agent === undefined || Number(/\r\nCSeq: (\d+)/i.exec(text)?.[1]) !== agent.cseq) return
  if (status === 401) {
    const challenge = parseChallenge(/\r\nWWW-Authenticate: ([^\r]+)/i.exec(text)?.[1] ?? "")
    if ("_tag" in challenge) return void failed++
    const fields = computeCredentials(challenge, { username: `u${agent.user}`, password: `pw${agent.user}` }, {
      method: "REGISTER", uri: `sip:127.0.0.1:${port}`, count: 1
    })
    return request(callId, agent, formatCredentials(fields))
  }
  if (measuring) {
    if (status === 200) done++
    else {
      failed++
      failures.set(status, (failures.get(status) ?? 0) + 1)
    }
  }
  agent.user = (agent.user + CONCURRENCY) % USERS
  request(callId, agent)
})

for (let i = 0; i < CONCURRENCY; i++) {
  const callId = `bench-${i}`
  const agent: Agent = { user: i % USERS, cseq: 0, last: "", sentAt: 0 }
  agents.set(callId, agent)
  request(callId, agent)
}
// One second of warm-up (JIT, SQLite pages), then the measured window.
await new Promise((r) => setTimeout(r, 1000))
measuring = true
const started = performance.now()
await new Promise((r) => setTimeout(r, SECONDS * 1000))
measuring = false
const elapsed = (performance.now() - started) / 1000
clearInterval(retransmit)
socket.close()
await Effect.runPromise(Scope.close(scope, Exit.void))
pg?.stop()
Fs.rmSync(dir, { recursive: true, force: true })
console.log(`backend ${backend}, ${CONCURRENCY} agents, ${USERS} users, ${SECONDS} s: ${done} registered, ${failed} failed ${JSON.stringify(Object.fromEntries(failures))}, ${resent} requests sent again`)
console.log(`${Math.round(done / elapsed)} registrations/s`)
