/**
 * The user agents of bench/register.ts, in their own process so they do not share the server's core:
 * CONCURRENCY agents in a closed loop. MODE "challenged": each registration is REGISTER → 401 → REGISTER with
 * credentials (MD5, nc=1) → 200, a new user each time. MODE "refresh": what a registered UA does on refresh
 * (RFC 2617 §3.2.2, RFC 3261 §22.3): each agent keeps its user and its last nonce and sends it again with nc + 1,
 * one REGISTER → 200 transaction, challenged again only when the server asks (stale nonce).
 * Args: PORT CONCURRENCY USERS SECONDS MODE. Prints "start" when the measured window opens, then one JSON line.
 */
import { createSocket } from "node:dgram"
import { computeCredentials, type DigestChallenge, formatCredentials, parseChallenge } from "../src/auth/index.ts"

const [port, CONCURRENCY, USERS, SECONDS] = process.argv.slice(2, 6).map(Number) as [number, number, number, number]
const refresh = process.argv[6] === "refresh"

const socket = createSocket("udp4")
await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", resolve))
const local = socket.address().port

interface Agent { user: number; cseq: number; last: string; sentAt: number; challenge?: DigestChallenge; nc: number }
const agents = new Map<string, Agent>()
let done = 0
let failed = 0
const failures = new Map<number, number>()
let measuring = false
let branchSeq = 0
let resent = 0
/** Refresh mode: requests the server challenged again (a stale nonce) within the measured window. */
let challenged = 0

/** Credentials for the agent's last challenge, with the next nonce count. */
const credentials = (agent: Agent, challenge: DigestChallenge) => {
  agent.challenge = challenge
  const fields = computeCredentials(challenge, { username: `u${agent.user}`, password: `pw${agent.user}` }, {
    method: "REGISTER", uri: `sip:127.0.0.1:${port}`, count: ++agent.nc
  })
  return formatCredentials(fields)
}

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
    agent.nc = 0
    if (measuring && refresh) challenged++
    return request(callId, agent, credentials(agent, challenge))
  }
  if (measuring) {
    if (status === 200) done++
    else {
      failed++
      failures.set(status, (failures.get(status) ?? 0) + 1)
    }
  }
  if (refresh) return request(callId, agent, agent.challenge === undefined ? undefined : credentials(agent, agent.challenge))
  agent.user = (agent.user + CONCURRENCY) % USERS
  request(callId, agent)
})

for (let i = 0; i < CONCURRENCY; i++) {
  const callId = `bench-${i}`
  const agent: Agent = { user: i % USERS, cseq: 0, last: "", sentAt: 0, nc: 0 }
  agents.set(callId, agent)
  request(callId, agent)
}
// One second of warm-up (JIT, SQLite pages), then the measured window.
await new Promise((r) => setTimeout(r, 1000))
measuring = true
console.log("start")
const started = performance.now()
await new Promise((r) => setTimeout(r, SECONDS * 1000))
measuring = false
const elapsed = (performance.now() - started) / 1000
clearInterval(retransmit)
socket.close()
const cpu = process.cpuUsage()
console.log(JSON.stringify({ done, challenged, failed, failures: Object.fromEntries(failures), resent, elapsed, clientCpuMs: (cpu.user + cpu.system) / 1000 }))
