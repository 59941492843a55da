/**
 * OpenTelemetry through the real CLI (`--otlp-endpoint`): an OTLP/HTTP collector in this test receives, for
 * a SIPp call that holds and resumes, one trace whose root `sip.call` span has the INVITE, both re-INVITEs
 * and the media session as children; and a call whose INVITE carries a W3C traceparent joins that trace.
 */
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { Effect, Stream } from "effect"
import * as Http from "node:http"
import * as Path from "node:path"
import { ClientSessionManager, type SessionEvent } from "../../src/index.ts"
import { parseTraceparent } from "../../src/ops/traceparent.ts"
import { freePorts } from "../api/sipp-ports.ts"
import { freePort, type RunningExample, startScript } from "../support/example-process.ts"
import { runProcess, sippPath } from "../support/run-process.ts"
import { waitForEvent } from "../support/wait-for-event.ts"

interface OtlpSpan {
  readonly traceId: string
  readonly spanId: string
  readonly parentSpanId?: string
  readonly name: string
  readonly attributes: ReadonlyArray<{ readonly key: string; readonly value: Record<string, unknown> }>
}

const root = Path.resolve(import.meta.dirname, "../..")
const rtpBase = 43000 + 2 * Math.floor(Math.random() * 400)
const spans: Array<OtlpSpan> = []
let collector: Http.Server
let server: RunningExample
let sipPort: number

const attribute = (span: OtlpSpan, key: string) => {
  const value = span.attributes.find((a) => a.key === key)?.value
  return value === undefined ? undefined : Object.values(value)[0]
}

const until = async (test: () => boolean, ms: number) => {
  const deadline = Date.now() + ms
  while (!test() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50))
  return test()
}

beforeAll(async () => {
  collector = Http.createServer((request, response) => {
    let body = ""
    request.on("data", (chunk) => (body += chunk))
    request.on("end", () => {
      if (request.url === "/v1/traces") {
        const data = JSON.parse(body) as { resourceSpans: Array<{ scopeSpans: Array<{ spans: Array<OtlpSpan> }> }> }
        for (const r of data.resourceSpans) for (const s of r.scopeSpans) spans.push(...s.spans)
      }
      response.writeHead(200, { "content-type": "application/json" }).end("{}")
    })
  })
  await new Promise<void>((resolve) => collector.listen(0, "127.0.0.1", resolve))
  const { port } = collector.address() as { port: number }
  sipPort = await freePort()
  server = await startScript([
    "src/main.ts", "--gc", "incremental", "--host", "127.0.0.1", "--port", String(sipPort), "--rtp-ports", `${rtpBase}-${rtpBase + 39}`,
    "--media", "silence", "--otlp-endpoint", `http://127.0.0.1:${port}`
  ], "listening on")
})

afterAll(async () => {
  expect(await server.stop()).not.toBe("hung")
  collector.close()
})

describe("--otlp-endpoint", () => {
  it("a call's span tree: sip.call with the INVITE, each re-INVITE and the media session as children", async () => {
    const [local, media] = freePorts(2)
    const sipp = await runProcess(sippPath, [
      `127.0.0.1:${sipPort}`, "-sf", Path.join(root, "sipp", "hold_resume.xml"), "-m", "1", "-i", "127.0.0.1",
      "-p", String(local), "-mp", String(media), "-nostdin", "-timeout", "30s", "-timeout_error"
    ], 45_000)
    expect(sipp.code, sipp.output).toBe(0)
    expect(await until(() => spans.some((s) => s.name === "sip.call"), 10_000)).toBe(true)
    const call = spans.find((s) => s.name === "sip.call")!
    expect(call.parentSpanId ?? "").toBe("")
    expect(attribute(call, "sip.direction")).toBe("inbound")
    expect(attribute(call, "sip.end_reason")).toBe("normal_clearing")
    expect(String(attribute(call, "sip.call_id"))).toMatch(/@127\.0\.0\.1$/)
    const children = spans.filter((s) => s.parentSpanId === call.spanId)
    expect(children.every((s) => s.traceId === call.traceId)).toBe(true)
    expect(children.map((s) => s.name).sort()).toEqual(["sip.invite", "sip.media", "sip.reinvite", "sip.reinvite"])
    expect(children.filter((s) => s.name === "sip.reinvite").map((s) => attribute(s, "sip.hold")).sort()).toEqual([false, true])
    expect(attribute(children.find((s) => s.name === "sip.invite")!, "sip.final")).toBe(200)
  }, 60_000)

  it.live("an INVITE carrying a W3C traceparent: the call's span joins that trace", () =>
    Effect.gen(function*() {
      const client = yield* ClientSessionManager
      const events: Array<SessionEvent> = []
      yield* Stream.runForEach(yield* client.subscribe, (e) => Effect.sync(() => void events.push(e))).pipe(Effect.forkScoped)
      const parent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
      const id = yield* client.call({ target: `sip:svc@127.0.0.1:${sipPort}`, headers: [["traceparent", parent]] })
      yield* waitForEvent(events, (e) => e._tag === "StateChanged" && e.sessionId === id && e.to === "Active", 20_000)
      yield* client.end(id)
      yield* waitForEvent(events, (e) => e._tag === "CallEnded" && e.sessionId === id, 20_000)
      const joined = yield* Effect.promise(() =>
        until(() => spans.some((s) => s.name === "sip.call" && s.traceId === "4bf92f3577b34da6a3ce929d0e0e4736"), 10_000))
      expect(joined).toBe(true)
      const call = spans.find((s) => s.name === "sip.call" && s.traceId === "4bf92f3577b34da6a3ce929d0e0e4736")!
      expect(call.parentSpanId).toBe("00f067aa0ba902b7")
    }).pipe(Effect.scoped, Effect.provide(ClientSessionManager.layer({
      host: "127.0.0.1", port: 0, rtpPortMin: rtpBase + 40, rtpPortMax: rtpBase + 59, mediaTimeoutMs: 0
    }))), 60_000)

  it("parseTraceparent refuses what W3C forbids", () => {
    expect(parseTraceparent("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00")?.sampled).toBe(false)
    expect(parseTraceparent("00-00000000000000000000000000000000-00f067aa0ba902b7-01")).toBeUndefined()
    expect(parseTraceparent("ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01")).toBeUndefined()
    expect(parseTraceparent("garbage")).toBeUndefined()
  })
})
