/**
 * IPv6 on the loopback [::1]: the transport answers over v6, and a full call runs over it — our client to
 * our server, and SIPp (-i ::1) to our server — with Via/Contact in brackets and SDP c=IN IP6.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer, Stream } from "effect"
import * as Path from "node:path"
import { CallDecision, ClientSessionManager, ServerSessionManager, type SessionEvent } from "../../src/index.ts"
import { responseDestination } from "../../src/net/destination.ts"
import { getHeader, isParseError, makeRequest, makeResponse, newBranch, topVia } from "../../src/sip/index.ts"
import { isRequest } from "../../src/sip/message.ts"
import { makeTransport } from "../../src/transport/live.ts"
import { freePorts } from "../api/sipp-ports.ts"
import { runSipp } from "../support/run-process.ts"
import { waitForEvent } from "../support/wait-for-event.ts"
import { collectInbound } from "./support.ts"

const root = Path.resolve(import.meta.dirname, "../..")
const rtpBase = 58300 + 2 * Math.floor(Math.random() * 100)
const timers = { t1: 50, t2: 400, t4: 500 }

const collect = (stream: Stream.Stream<SessionEvent>, into: Array<SessionEvent>) =>
  Stream.runForEach(stream, (e) => Effect.sync(() => void into.push(e))).pipe(Effect.forkScoped)

const v6Stack = Layer.mergeAll(
  ServerSessionManager.layer(() => Effect.succeed(CallDecision.accept({ media: { _tag: "Echo" } })), {
    host: "::1", port: 0, transports: ["udp", "tcp"], rtpPortMin: rtpBase, rtpPortMax: rtpBase + 19, mediaTimeoutMs: 0, timers
  }),
  ClientSessionManager.layer({
    host: "::1", port: 0, rtpPortMin: rtpBase + 20, rtpPortMax: rtpBase + 39, mediaTimeoutMs: 0, timers,
    defaultMedia: { _tag: "Tone", frequency: 440 }
  })
)

describe("IPv6 ([::1])", () => {
  it.live("the transport listens on ::1 over UDP and TCP and answers back over v6", () =>
    Effect.gen(function*() {
      const server = yield* makeTransport({ host: "::1", port: 0, transports: ["udp", "tcp"] })
      const client = yield* makeTransport({ host: "::1", port: 0, transports: ["udp", "tcp"] })
      expect(server.local.map((l) => l.host)).toEqual(["::1", "::1"])
      const serverIn = yield* collectInbound(server)
      const clientIn = yield* collectInbound(client)
      for (const transport of ["udp", "tcp"] as const) {
        const port = server.local[0].port
        const branch = newBranch()
        const request = makeRequest({
          method: "OPTIONS",
          uri: `sip:bob@[::1]:${port}`,
          headers: [
            ["Via", `SIP/2.0/${transport.toUpperCase()} [::1]:${client.local[0].port};branch=${branch};rport`],
            ["From", "<sip:alice@[::1]>;tag=a"], ["To", "<sip:bob@[::1]>"], ["Call-ID", `v6-${transport}`],
            ["CSeq", "1 OPTIONS"], ["Max-Forwards", "70"]
          ]
        })
        yield* client.send(request, { transport, host: "::1", port })
        const received = yield* serverIn.next()
        expect(received.source).toMatchObject({ transport, host: "::1" })
        if (!isRequest(received.message)) throw new Error("expected a request")
        // RFC 3581 §4: rport filled with the v6 source port, received= the bare v6 address (§18.2.1 grammar).
        expect(getHeader(received.message, "via")).toBe(
          `SIP/2.0/${transport.toUpperCase()} [::1]:${client.local[0].port};branch=${branch};rport=${received.source.port};received=::1`
        )
        const via = topVia(received.message)
        if (isParseError(via)) throw via
        yield* server.send(makeResponse(received.message, 200, "OK", { toTag: "b" }), responseDestination(via, received.source))
        const response = yield* clientIn.next()
        expect(response.source).toMatchObject({ transport, host: "::1", port })
      }
    }))

  it.live("our client calls our server over [::1]: SDP c=IN IP6, audio both ways over v6", () =>
    Effect.gen(function*() {
      const server = yield* ServerSessionManager
      const client = yield* ClientSessionManager
      const clientEvents: Array<SessionEvent> = []
      yield* collect(yield* client.subscribe, clientEvents)
      const id = yield* client.call({ target: `sip:echo@[::1]:${server.local[0].port}` })
      const started = yield* waitForEvent(clientEvents, (e) => e._tag === "MediaStarted" && e.sessionId === id)
      expect((started as Extract<SessionEvent, { _tag: "MediaStarted" }>).remote).toMatch(/^::1:\d+$/)
      yield* Effect.sleep("1 second")
      yield* client.end(id)
      const stopped = yield* waitForEvent(clientEvents, (e) => e._tag === "MediaStopped" && e.sessionId === id)
      const stats = (stopped as Extract<SessionEvent, { _tag: "MediaStopped" }>).stats
      expect(stats.packetsReceived).toBeGreaterThan(20)
      expect(stats.lossFraction).toBeLessThan(0.05)
    }).pipe(Effect.scoped, Effect.provide(v6Stack)))

  it.live("SIPp (-i ::1) places a basic call to our server over [::1]; the answer says c=IN IP6", () =>
    Effect.gen(function*() {
      const server = yield* ServerSessionManager
      const serverEvents: Array<SessionEvent> = []
      yield* collect(yield* server.subscribe, serverEvents)
      const [sippPort, mediaPort] = freePorts(2)
      const result = yield* runSipp([
        `[::1]:${server.local[0].port}`, "-sf", Path.join(root, "sipp/basic_call_ipv6.xml"), "-m", "1",
        "-i", "::1", "-p", String(sippPort), "-mi", "::1", "-mp", String(mediaPort),
        "-timeout", "20s", "-timeout_error", "-nostdin"
      ], 30_000)
      expect(result.code, result.output).toBe(0)
      yield* waitForEvent(serverEvents, (e) => e._tag === "CallEnded")
    }).pipe(Effect.scoped, Effect.provide(v6Stack)))
})
