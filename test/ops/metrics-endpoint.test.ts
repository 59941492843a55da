/**
 * The operations listener of the real CLI (`node src/main.ts --http-port`): after SIPp places calls, GET
 * /metrics parses as Prometheus text and its counters equal what SIPp reports (calls, failures,
 * retransmissions); /healthz and /readyz answer; a token guards /metrics when one is set.
 */
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import parse, { type PrometheusFamily } from "parse-prometheus-text-format"
import { freePorts } from "../api/sipp-ports.ts"
import { freePort, type RunningExample, startScript } from "../support/example-process.ts"
import { runProcess, sippPath } from "../support/run-process.ts"

const root = Path.resolve(import.meta.dirname, "../..")
const rtpBase = 36000 + 2 * Math.floor(Math.random() * 800)
const dir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "effect-sip-ops-"))
const CALLS = 20
const REJECTED = 3

interface Running {
  readonly process: RunningExample
  readonly sipPort: number
  readonly httpPort: number
}

const start = async (extra: ReadonlyArray<string>, rtp: number): Promise<Running> => {
  const sipPort = await freePort()
  const httpPort = await freePort()
  const process = await startScript([
    "src/main.ts", "--gc", "incremental", "--host", "127.0.0.1", "--port", String(sipPort),
    "--rtp-ports", `${rtp}-${rtp + 39}`, "--media", "silence", "--http-port", String(httpPort), ...extra
  ], "listening on")
  return { process, sipPort, httpPort }
}

let answering: Running
let rejecting: Running

beforeAll(async () => {
  answering = await start(["--http-token", "s3cret"], rtpBase)
  rejecting = await start(["--mode", "reject", "--reject-code", "486"], rtpBase + 40)
})

afterAll(async () => {
  expect(await answering.process.stop()).not.toBe("hung")
  expect(await rejecting.process.stop()).not.toBe("hung")
  Fs.rmSync(dir, { recursive: true, force: true })
})

const get = (server: Running, path: string, token?: string) =>
  fetch(`http://127.0.0.1:${server.httpPort}${path}`, token === undefined ? {} : { headers: { authorization: `Bearer ${token}` } })

/** SIPp's own tally from its statistics file (-trace_stat): the last line's cumulative columns. */
const sippStats = (file: string): Record<string, number> => {
  const lines = Fs.readFileSync(file, "utf8").trim().split("\n")
  const header = lines[0].split(";")
  const last = lines[lines.length - 1].split(";")
  return Object.fromEntries(header.map((name, i) => [name, Number(last[i])]))
}

const sipp = async (server: Running, scenario: string, calls: number, name: string) => {
  const [local, media] = freePorts(2)
  const stats = Path.join(dir, `${name}.csv`)
  const result = await runProcess(sippPath, [
    `127.0.0.1:${server.sipPort}`, "-sf", Path.join(root, "sipp", scenario), "-m", String(calls), "-r", "10",
    "-i", "127.0.0.1", "-p", String(local), "-mp", String(media), "-nostdin", "-timeout", "30s", "-timeout_error",
    "-trace_stat", "-stf", stats, "-fd", "1"
  ], 45_000)
  return { result, stats: sippStats(stats) }
}

const family = (families: ReadonlyArray<PrometheusFamily>, name: string) => families.find((f) => f.name === name)
const value = (families: ReadonlyArray<PrometheusFamily>, name: string, labels: Record<string, string> = {}) => {
  const sample = family(families, name)?.metrics.find((m) =>
    Object.entries(labels).every(([k, v]) => m.labels?.[k] === v))
  return sample?.value === undefined ? undefined : Number(sample.value)
}

describe("GET /metrics after SIPp calls", () => {
  it("counts what SIPp counted: calls, rejections, responses by code, retransmissions", async () => {
    const answered = await sipp(answering, "basic_call.xml", CALLS, "answered")
    expect(answered.result.code, answered.result.output).toBe(0)
    expect(answered.stats["SuccessfulCall(C)"]).toBe(CALLS)

    const response = await get(answering, "/metrics", "s3cret")
    expect(response.status).toBe(200)
    expect(response.headers.get("content-type")).toContain("text/plain; version=0.0.4")
    const families = parse(await response.text())

    expect(value(families, "effect_sip_calls_started_total", { direction: "inbound" })).toBe(CALLS)
    expect(value(families, "effect_sip_calls_answered_total", { direction: "inbound" })).toBe(CALLS)
    expect(value(families, "effect_sip_calls_ended_total", { direction: "inbound", reason: "normal_clearing" })).toBe(CALLS)
    // 200 to each INVITE and each BYE.
    expect(value(families, "effect_sip_responses_sent_total", { code: "200" })).toBe(2 * CALLS)
    expect(value(families, "effect_sip_calls_active")).toBe(0)
    expect(value(families, "effect_sip_parse_errors_total")).toBe(0)
    // Retransmissions both ways equal SIPp's own count of what it retransmitted.
    expect(value(families, "effect_sip_retransmissions_received_total")).toBe(answered.stats["Retransmissions(C)"])
    const setup = family(families, "effect_sip_call_setup_seconds")
    expect(setup?.type).toBe("HISTOGRAM")
    expect(Number(setup?.metrics[0].buckets?.["+Inf"])).toBe(CALLS)
    // Every family is typed and no label carries a Call-ID or a user.
    for (const f of families) expect(["COUNTER", "GAUGE", "HISTOGRAM"]).toContain(f.type)
    for (const f of families) for (const m of f.metrics) for (const v of Object.values(m.labels ?? {})) expect(v).not.toMatch(/@/)
  }, 60_000)

  it("refused calls show as ended by rejection and as responses by status code", async () => {
    const rejected = await sipp(rejecting, "call_rejection.xml", REJECTED, "rejected")
    expect(rejected.result.code, rejected.result.output).toBe(0)
    expect(rejected.stats["SuccessfulCall(C)"]).toBe(REJECTED)
    const families = parse(await (await get(rejecting, "/metrics")).text())
    expect(value(families, "effect_sip_calls_started_total", { direction: "inbound" })).toBe(REJECTED)
    expect(value(families, "effect_sip_calls_ended_total", { direction: "inbound", reason: "rejected" })).toBe(REJECTED)
    expect(value(families, "effect_sip_responses_sent_total", { code: "486" })).toBe(REJECTED)
    expect(value(families, "effect_sip_calls_answered_total", { direction: "inbound" })).toBeUndefined()
  }, 60_000)

  it("without the token /metrics is 401; /healthz and /readyz answer without it", async () => {
    expect((await get(answering, "/metrics")).status).toBe(401)
    expect((await get(answering, "/metrics", "wrong")).status).toBe(401)
    expect((await get(answering, "/healthz")).status).toBe(200)
    const ready = await get(answering, "/readyz")
    expect(ready.status).toBe(200)
    expect(await ready.text()).toBe("ready\n")
  })
})
