/**
 * Calls per second over TLS, our client to our server, with connection reuse: `node dist/main.js` as shipped
 * (plus a TLS listener with a certificate made here by openssl, --media silence) in its own process, and a
 * SipStack client in this one placing `sips:` calls (INVITE → 200 → ACK → BYE, zero hold time) at BENCH_RATES
 * calls/s. Every call of a run shares the client's one TLS connection to the server (counted with `ss` and
 * printed). Each step is bounded to min(rate × BENCH_SECONDS, BENCH_MAX_CALLS) calls and to a wall-clock
 * bound; the ramp stops at the first step with a failed call. The same ramp over UDP follows, for comparison.
 * Per step: failed calls, achieved calls/s, INVITE → Active (200) setup time p50/p99.
 * Last line, for the highest zero-failure TLS step:
 *   max_cps=N p99_ms=X tls_connections=C udp_max_cps=M udp_p99_ms=Y
 * (max_cps is the step's offered rate, or the achieved one when that was under 80 % of it.)
 *
 * Run: npm run bench:tls   Env: BENCH_RATES="25 50 100 200 400" BENCH_SECONDS=3 BENCH_MAX_CALLS=1000
 *      BENCH_UDP=0 skips the UDP ramp; BENCH_TCP=1 adds a plain TCP ramp. Only 127.0.0.1. On a shared
 *      machine the figures move with the load of its other processes: compare runs made together.
 */
import { execFileSync } from "node:child_process"
import { Context, Effect, Layer, References, Stream } from "effect"
import { SessionCoordinator, type SessionEvent, SipStack } from "../src/index.ts"
import { freePort, startScript } from "../test/support/example-process.ts"
import { testPki } from "../test/transport/certs.ts"

const RATES = (process.env.BENCH_RATES ?? "25 50 100 200 400").split(/\s+/).filter(Boolean).map(Number)
const SECONDS = Number(process.env.BENCH_SECONDS ?? 3)
const MAX_CALLS = Number(process.env.BENCH_MAX_CALLS ?? 1000)
const UDP = process.env.BENCH_UDP !== "0"

interface Step {
  readonly rate: number
  readonly calls: number
  readonly failed: number
  readonly cps: number
  readonly p50: number
  readonly p99: number
  /** The first failed call's ending, if any. */
  readonly why: string
}

const quantile = (sorted: ReadonlyArray<number>, q: number) =>
  sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]

// Session ids are unique for the run: one consumer of the client's events fills these for every step.
const activeAt = new Map<string, number>()
const ended = new Map<string, boolean>()
const whyFailed = new Map<string, string>()

/** Every call is ended by us as soon as it is Active; an ending is good when it was that BYE. */
const follow = (client: SessionCoordinator["Service"], events: Stream.Stream<SessionEvent>) =>
  Stream.runForEach(events, (event) => {
    if (event._tag === "StateChanged" && event.to === "Active") {
      activeAt.set(event.sessionId, performance.now())
      return client.end(event.sessionId).pipe(Effect.ignore)
    }
    if (event._tag === "CallEnded") {
      const good = event.reason._tag === "NormalClearing" && event.reason.by === "local"
      ended.set(event.sessionId, good)
      if (!good) whyFailed.set(event.sessionId, JSON.stringify(event.reason))
    }
    return Effect.void
  })

/** One step: `calls` calls at `rate`. */
const step = (client: SessionCoordinator["Service"], target: string, rate: number) =>
  Effect.gen(function*() {
    const calls = Math.min(Math.round(rate * SECONDS), MAX_CALLS)
    const placedAt = new Map<string, number>()
    const start = performance.now()
    for (let i = 0; i < calls; i++) {
      const wait = start + (i * 1000) / rate - performance.now()
      if (wait > 1) yield* Effect.sleep(wait)
      const id = yield* client.call({ target, media: { _tag: "Silence" } }).pipe(Effect.orElseSucceed(() => `refused-${i}`))
      placedAt.set(id, performance.now())
    }
    const sent = performance.now()
    const deadline = sent + 10_000
    const done = () => [...placedAt.keys()].every((id) => ended.has(id))
    while (!done() && performance.now() < deadline) yield* Effect.sleep(20)
    const lastActive = Math.max(sent, ...[...placedAt.keys()].map((id) => activeAt.get(id) ?? 0))
    const elapsed = (lastActive - start) / 1000
    const setups = [...placedAt].flatMap(([id, at]) => activeAt.has(id) ? [activeAt.get(id)! - at] : []).sort((a, b) => a - b)
    const ok = [...placedAt.keys()].filter((id) => ended.get(id) === true).length
    const failed = [...placedAt.keys()].find((id) => ended.get(id) !== true)
    const why = failed === undefined ? "" : whyFailed.get(failed) ?? (failed.startsWith("refused") ? "call refused" : "not ended in time")
    return { rate, calls, failed: calls - ok, cps: ok / elapsed, p50: quantile(setups, 0.5), p99: quantile(setups, 0.99), why } satisfies Step
  })

const ramp = (client: SessionCoordinator["Service"], label: string, target: string) =>
  Effect.gen(function*() {
    let best: Step | undefined
    for (const rate of RATES) {
      const result = yield* step(client, target, rate)
      console.log(
        `transport=${label} rate=${rate} calls=${result.calls} failed=${result.failed} achieved_cps=${result.cps.toFixed(1)} ` +
          `p50_ms=${result.p50.toFixed(2)} p99_ms=${result.p99.toFixed(2)}` + (result.why === "" ? "" : ` first_failure=${result.why}`)
      )
      if (result.failed > 0) break
      best = result
      yield* Effect.sleep(1000)
    }
    if (best === undefined) return { cps: 0, p99: NaN }
    return { cps: best.cps < 0.8 * best.rate ? Math.floor(best.cps) : best.rate, p99: best.p99 }
  })

const established = (port: number): number => {
  try {
    return execFileSync("ss", ["-Htn", "state", "established", `( sport = :${port} )`]).toString().split("\n").filter(Boolean).length
  } catch {
    return -1
  }
}

const main = Effect.gen(function*() {
  const pki = yield* testPki
  const cert = pki.issue("server", "IP:127.0.0.1")
  const [sipPort, tlsPort] = [yield* Effect.promise(freePort), yield* Effect.promise(freePort)]
  const server = yield* Effect.acquireRelease(
    Effect.promise(() =>
      startScript([
        "dist/main.js", "--host", "127.0.0.1", "--port", String(sipPort), "--transport", "udp,tcp,tls", "--tls-port", String(tlsPort),
        "--tls-cert", cert.certFile, "--tls-key", cert.keyFile, "--rtp-ports", "58000-58499", "--media", "silence"
      ], "listening")
    ),
    (running) => Effect.promise(() => running.stop())
  )
  if (!(yield* Effect.promise(() => server.logged(/listening/)))) return yield* Effect.die(`server did not start:\n${server.log()}`)
  const stack = yield* Layer.build(SipStack.layer({
    host: "127.0.0.1", port: 0, transports: ["udp", "tcp", "tls"], tls: { caFile: pki.caFile },
    rtpPortMin: 58500, rtpPortMax: 58999, mediaTimeoutMs: 0, defaultMedia: { _tag: "Silence" }
  }))
  const client = Context.get(stack, SessionCoordinator)
  yield* follow(client, yield* client.subscribe).pipe(Effect.forkScoped)
  const tls = yield* ramp(client, "tls", `sips:bench@127.0.0.1:${tlsPort}`)
  const connections = established(tlsPort)
  // A failed step can leave the server busy (503s from its overload guard): let it settle between ramps.
  yield* Effect.sleep(5000)
  if (process.env.BENCH_TCP === "1") yield* ramp(client, "tcp", `sip:bench@127.0.0.1:${sipPort};transport=tcp`)
  const udp = UDP ? yield* ramp(client, "udp", `sip:bench@127.0.0.1:${sipPort}`) : undefined
  console.log(
    `max_cps=${tls.cps} p99_ms=${tls.p99.toFixed(2)} tls_connections=${connections}` +
      (udp === undefined ? "" : ` udp_max_cps=${udp.cps} udp_p99_ms=${udp.p99.toFixed(2)}`)
  )
})

// The client's per-call log lines would cost more than the calls: warnings only.
Effect.runPromise(Effect.scoped(main).pipe(Effect.provideService(References.MinimumLogLevel, "Warn"))).then(
  () => process.exit(0),
  (error) => {
    console.error(error)
    process.exit(1)
  }
)
