/**
 * Transactions per second through UDP loopback: SIPp (UAC, one OPTIONS per call, retransmitting per
 * Timer E) → the real Transport → TransactionLayer → a trivial TU answering 200 → back.
 *
 * Stepped, bounded rates: each step runs SIPp for about STEP_SECONDS at a fixed rate with a bounded call
 * count and a global timeout; the ramp stops at the first step with a failed call (or one SIPp could not
 * keep up with: under 85% of the target rate end to end). Prints the highest clean step as "N transactions/s".
 *
 * Run: npm run bench:transactions   (Node 24 runs this file and ../src directly, type stripping)
 * Env: BENCH_RATES="500,1000,2000" to choose the steps, BENCH_STEP_SECONDS=3, BENCH_SIPPS=2 (SIPp processes
 * sharing each step's rate: one SIPp saturates its core near 4000 calls/s).
 */
import { Effect, Layer, Stream } from "effect"
import { spawn, spawnSync } from "node:child_process"
import * as Path from "node:path"
import { makeResponse } from "../src/sip/index.ts"
import { TransactionLive } from "../src/transaction/live.ts"
import { TransactionLayer } from "../src/transaction/transaction-layer.ts"
import { TransportLive } from "../src/transport/live.ts"
import { Transport } from "../src/transport/transport.ts"

const RATES = (process.env.BENCH_RATES ?? "500,1000,2000,3000,4000,6000,8000,10000")
  .split(",").map((s) => Number(s.trim())).filter((n) => n > 0)
const STEP_SECONDS = Number(process.env.BENCH_STEP_SECONDS ?? 3)
const SIPPS = Math.max(1, Number(process.env.BENCH_SIPPS ?? 2))
const scenario = Path.join(import.meta.dirname, "..", "test", "transaction", "fixtures", "options-uac.xml")
const sipp = spawnSync("which", ["sipp"], { encoding: "utf8" }).stdout.trim()

interface StepResult {
  readonly rate: number
  readonly code: number | null
  readonly successful: number
  readonly failed: number
  readonly retransmissions: number
  readonly seconds: number
}

const lastCount = (output: string, label: string): number => {
  const matches = [...output.matchAll(new RegExp(`${label}\\s*\\|\\s*(\\d+)\\s*\\|\\s*(\\d+)`, "g"))]
  const last = matches.at(-1)
  return last === undefined ? 0 : Number(last[2])
}

/** One SIPp process at `rate` for about STEP_SECONDS. */
const runSipp = (port: number, rate: number) =>
    new Promise<StepResult>((resolve) => {
      const calls = Math.max(50, Math.round(rate * STEP_SECONDS))
      const started = Date.now()
      const child = spawn(sipp, [
        `127.0.0.1:${port}`, "-sf", scenario, "-i", "127.0.0.1", "-p", "0",
        "-r", String(rate), "-m", String(calls), "-l", String(Math.max(100, rate * 2)),
        "-timeout", `${STEP_SECONDS * 4 + 20}s`, "-timeout_error", "-nostdin", "-nd", "-max_recv_loops", "10000"
      ], { stdio: ["ignore", "pipe", "pipe"] })
      let output = ""
      child.stdout.on("data", (d) => (output = (output + d.toString()).slice(-20_000)))
      child.stderr.on("data", (d) => (output = (output + d.toString()).slice(-20_000)))
      const killer = setTimeout(() => child.kill("SIGKILL"), (STEP_SECONDS * 4 + 40) * 1000)
      child.on("exit", (code) => {
        clearTimeout(killer)
        resolve({
          rate,
          code,
          successful: lastCount(output, "Successful call"),
          failed: lastCount(output, "Failed call"),
          retransmissions: lastCount(output, "Retransmissions"),
          seconds: (Date.now() - started) / 1000
        })
      })
    })

/** A step: SIPS processes share the rate (one SIPp tops out near 4000 calls/s on one core). */
const runStep = (port: number, rate: number) =>
  Effect.promise(async (): Promise<StepResult> => {
    const share = Math.max(1, Math.round(rate / SIPPS))
    const results = await Promise.all(Array.from({ length: SIPPS }, () => runSipp(port, share)))
    return {
      rate,
      code: results.every((r) => r.code === 0) ? 0 : results.find((r) => r.code !== 0)!.code,
      successful: results.reduce((n, r) => n + r.successful, 0),
      failed: results.reduce((n, r) => n + r.failed, 0),
      retransmissions: results.reduce((n, r) => n + r.retransmissions, 0),
      seconds: Math.max(...results.map((r) => r.seconds))
    }
  })

const program = Effect.gen(function*() {
  const layer = yield* TransactionLayer
  const transport = yield* Transport
  let answered = 0
  // The trivial TU: 200 to every request.
  yield* Stream.runForEach(layer.events, (event) => {
    if (event._tag !== "RequestReceived") return Effect.void
    answered++
    const { id, request } = event.transaction
    return Effect.ignore(layer.respond(id, makeResponse(request, 200, "OK", { toTag: "bench" })))
  }).pipe(Effect.forkScoped)
  const port = layer.local[0].port
  console.log(`server on udp 127.0.0.1:${port}; steps ${RATES.join(", ")} calls/s x ${STEP_SECONDS}s; sipp ${sipp || "missing"}`)
  if (sipp === "") return yield* Effect.die("sipp is not installed (apt-get install -y sip-tester)")
  let best: StepResult | undefined
  for (const rate of RATES) {
    const cpuBefore = process.cpuUsage()
    const result = yield* runStep(port, rate)
    const cpu = process.cpuUsage(cpuBefore)
    const cpuPercent = Math.round(((cpu.user + cpu.system) / 1e6 / result.seconds) * 100)
    const achieved = Math.round(result.successful / result.seconds)
    const counts = yield* layer.counts
    const stats = yield* transport.stats
    const rss = Math.round(process.memoryUsage().rss / 1e6)
    console.log(
      `rate ${rate}/s: ok ${result.successful} failed ${result.failed} retrans ${result.retransmissions} ` +
        `in ${result.seconds.toFixed(1)}s (${achieved}/s end to end), exit ${result.code}; ` +
        `server CPU ${cpuPercent}%, live server tx ${counts.server}, udp dropped ${stats.dropped}, rss ${rss} MB`
    )
    // Clean: no failed call, and the step kept (nearly) its pace: SIPp falls behind when the server is slow.
    const clean = result.code === 0 && result.failed === 0 && result.successful > 0 && achieved >= 0.85 * rate
    if (!clean) break
    best = result
  }
  console.log(`TU answered ${answered} requests`)
  if (best === undefined) {
    console.log("0 transactions/s")
  } else {
    console.log(`${best.rate} transactions/s`)
  }
})

const live = TransactionLive.layer().pipe(
  Layer.provideMerge(TransportLive.layer({ host: "127.0.0.1", port: 0, transports: ["udp"], receiveBufferCapacity: 16_384 }))
)

Effect.runPromise(Effect.scoped(program).pipe(Effect.provide(live))).then(
  () => process.exit(0),
  (error) => {
    console.error(error)
    process.exit(1)
  }
)
