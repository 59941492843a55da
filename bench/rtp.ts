/**
 * RTP echo capacity: how many concurrent 20 ms G.711 streams one process echoes without loss.
 *
 * This process runs a real MediaEngine with N Echo sessions on 127.0.0.1. A child process (plain
 * node:dgram, so its work lands on the other core) sends one 172-byte PCMU packet per stream every
 * 20 ms — phases spread over the 20 ms like independent calls — for STEP_MS, waits DRAIN_MS, and
 * counts what came back (and how late). N steps up until a step loses packets or echoes them later
 * than DRAIN_MS, or the time budget (< 60 s) is spent.
 *
 * Run: npm run bench:rtp   (Node 24 strips the types of this file and of src/**).
 * Output: one line per step, then `<packets/s> packets/s` — the echoed rate of the best loss-free step.
 */
import { fork, type ChildProcess } from "node:child_process"
import { createSocket, type Socket } from "node:dgram"
import { loadavg } from "node:os"
import { Effect, Exit, Scope } from "effect"
import { makeMediaEngine } from "../src/media/live.ts"
import type { NegotiatedMedia } from "../src/sdp/negotiated.ts"

const STEPS = (process.env.RTP_BENCH_STEPS ?? "100,250,500,750,1000,1250,1500,2000,2500,3000").split(",").map(Number)
const STEP_MS = 3000
const DRAIN_MS = Number(process.env.RTP_BENCH_DRAIN_MS ?? 400)
const BUDGET_MS = 50_000
const PTIME = 20
const SLOTS = 10 // streams start in 10 phases 2 ms apart
const STREAMS_PER_SOCKET = 25
const PORT_MIN = Number(process.env.RTP_BENCH_PORT_MIN ?? 46000)

interface StepRequest { readonly ports: ReadonlyArray<number>; readonly durationMs: number }
interface StepResult {
  readonly sent: number
  /** Echoes back within DRAIN_MS after the last send. */
  readonly received: number
  /** Echoes that came later still (within LATE_MS more): the server fell behind rather than dropped. */
  readonly late: number
  readonly cpuPct: number
  /** Round-trip latency of the echoes, ms. */
  readonly p50: number
  readonly p99: number
  readonly max: number
}
const LATE_MS = 1000

// ---------------------------------------------------------------- load generator (child process)
const runGenerator = () => {
  process.on("message", (message: StepRequest) => {
    const { ports, durationMs } = message
    const count = Math.ceil(ports.length / STREAMS_PER_SOCKET)
    const sockets: Array<Socket> = []
    let sent = 0
    let received = 0
    let late = 0
    let counting = true
    const latencies: Array<number> = []
    let bound = 0
    const seq = new Uint16Array(ports.length)
    const ssrc = Array.from(ports, () => (Math.random() * 2 ** 32) >>> 0)
    const packet = (i: number): Buffer => {
      const b = Buffer.alloc(172, 0xff)
      b[0] = 0x80
      b[1] = 0 // PCMU
      b.writeUInt16BE(seq[i]++, 2)
      b.writeUInt32BE((seq[i] * 160) >>> 0, 4)
      b.writeUInt32BE(ssrc[i], 8)
      b.writeDoubleLE(performance.now(), 12) // the echo brings it back: round-trip latency
      return b
    }
    const start = () => {
      const t0 = performance.now()
      const cpu0 = process.cpuUsage()
      const next = Array.from({ length: SLOTS }, (_, s) => t0 + (s * PTIME) / SLOTS)
      const tick = () => {
        const now = performance.now()
        for (let s = 0; s < SLOTS; s++) {
          while (next[s] <= now && next[s] < t0 + durationMs) {
            for (let i = s; i < ports.length; i += SLOTS) {
              sockets[i % count].send(packet(i), ports[i], "127.0.0.1")
              sent++
            }
            next[s] += PTIME
          }
        }
        if (now < t0 + durationMs) setTimeout(tick, 1)
        else {
          setTimeout(() => {
            counting = false
            const cpu = process.cpuUsage(cpu0)
            const cpuPct = ((cpu.user + cpu.system) / 1000 / durationMs) * 100
            setTimeout(() => {
              for (const socket of sockets) socket.close()
              latencies.sort((a, b) => a - b)
              const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0
              process.send?.({ sent, received, late, cpuPct, p50: at(0.5), p99: at(0.99), max: at(1) } satisfies StepResult)
            }, LATE_MS)
          }, DRAIN_MS)
        }
      }
      tick()
    }
    for (let k = 0; k < count; k++) {
      const socket = createSocket("udp4")
      socket.on("message", (bytes) => {
        if (!counting) return void late++
        received++
        if (bytes.length >= 20) latencies.push(performance.now() - bytes.readDoubleLE(12))
      })
      socket.bind(0, "127.0.0.1", () => {
        try {
          socket.setRecvBufferSize(4 * 1024 * 1024)
        } catch { /* capped by rmem_max: fine */ }
        if (++bound === count) start()
      })
      sockets.push(socket)
    }
  })
}

// ---------------------------------------------------------------- echo server (this process)
const negotiated = (remotePort: number): NegotiatedMedia => ({
  remoteAddress: "127.0.0.1",
  remotePort,
  remoteRtcpPort: remotePort + 1,
  rtcpMux: false,
  codec: { payloadType: 0, name: "PCMU", clockRate: 8000 },
  codecs: [{ payloadType: 0, name: "PCMU", clockRate: 8000 }],
  ptime: PTIME,
  direction: "sendrecv",
  remoteHold: false
})

const ask = (child: ChildProcess, request: StepRequest) =>
  Effect.callback<StepResult>((resume) => {
    child.once("message", (result) => resume(Effect.succeed(result as StepResult)))
    child.send(request)
  })

const runServer = Effect.gen(function*() {
  const began = Date.now()
  const child = fork(process.argv[1], ["--generator"], { stdio: "inherit" })
  const engine = yield* makeMediaEngine({
    host: "127.0.0.1",
    portMin: PORT_MIN,
    portMax: PORT_MIN + 2 * STEPS[STEPS.length - 1] + 199,
    mediaTimeoutMs: 0
  })
  /** One step: N echo sessions under load for STEP_MS; true when every echo came back in time. */
  const step = (n: number) =>
    Effect.gen(function*() {
      const scope = yield* Scope.make()
      const sessions = []
      for (let i = 0; i < n; i++) sessions.push(yield* engine.open({ _tag: "Echo" }).pipe(Scope.provide(scope)))
      // The SDP address does not matter: symmetric RTP answers each packet's source.
      for (const session of sessions) yield* session.apply(negotiated(9))
      const cpu0 = process.cpuUsage()
      const result = yield* ask(child, { ports: sessions.map((s) => s.localPort), durationMs: STEP_MS })
      const cpu = process.cpuUsage(cpu0)
      let serverIn = 0
      let serverOut = 0
      for (const session of sessions) {
        const stats = yield* session.stats
        serverIn += stats.packetsReceived
        serverOut += stats.packetsSent
      }
      yield* Scope.close(scope, Exit.void)
      const lost = result.sent - result.received - result.late
      const pps = Math.round((result.received * 1000) / STEP_MS)
      // Against the 3 s of traffic (the drain/late tail is near idle), so 100% means one core saturated.
      const cpuPct = (((cpu.user + cpu.system) / 1000) / STEP_MS) * 100
      const cpuPerPacket = (cpu.user + cpu.system) / Math.max(1, result.received + result.late) // µs
      console.log(
        `${String(n).padStart(5)} streams: sent ${result.sent}, echoed ${result.received}, late ${result.late}, lost ${lost} ` +
          `(rtt p50 ${result.p50.toFixed(2)} p99 ${result.p99.toFixed(1)} max ${result.max.toFixed(0)} ms) ` +
          `(${((lost / result.sent) * 100).toFixed(3)}%; server got ${serverIn}, echoed ${serverOut}), ` +
          `${pps} packets/s echoed, server CPU ${cpuPct.toFixed(0)}% = ${cpuPerPacket.toFixed(1)} µs/echo ` +
          `(generator ${result.cpuPct.toFixed(0)}%) of one core, load ${loadavg()[0].toFixed(2)}`
      )
      return { ok: lost === 0 && result.late === 0, pps }
    })

  const stepCost = STEP_MS + DRAIN_MS + LATE_MS + 1500
  let best = 0
  let bestStreams = 0
  for (const n of STEPS) {
    if (Date.now() - began + stepCost > BUDGET_MS) {
      console.log(`time budget reached before ${n} streams`)
      break
    }
    let outcome = yield* step(n)
    // The machine is shared: a step that fell behind is tried once more before it counts as the limit.
    if (!outcome.ok && Date.now() - began + stepCost <= BUDGET_MS) {
      console.log(`  (retrying ${n} streams once: a busy machine can starve either process)`)
      outcome = yield* step(n)
    }
    if (!outcome.ok) break
    best = outcome.pps
    bestStreams = n
  }
  child.kill()
  console.log(`best loss-free: ${bestStreams} concurrent 20 ms G.711 echo streams`)
  console.log(`${best} packets/s`)
})

if (process.argv.includes("--generator")) runGenerator()
else Effect.runPromise(Effect.scoped(runServer)).then(() => process.exit(0), (error) => {
  console.error(error)
  process.exit(1)
})
