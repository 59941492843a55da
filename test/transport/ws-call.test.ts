/**
 * A call from a browser-like WebSocket client (RFC 7118) to our server: INVITE over WS from a `.invalid`
 * host, 200 back over the connection, ACK, then our server hangs up and its BYE reaches the client over
 * that same connection (the Contact's `.invalid` host is no address).
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Fiber, Stream } from "effect"
import { CallDecision, ServerSessionManager, type SessionEvent } from "../../src/index.ts"
import { waitForEvent } from "../support/wait-for-event.ts"
import { wsClient } from "./ws-client.ts"

const rtpBase = 58800 + 2 * Math.floor(Math.random() * 50)
const timers = { t1: 50, t2: 400, t4: 500 }
const host = "k3h2l1p0.invalid"

const lines = (...l: ReadonlyArray<string>) => l.join("\r\n")

describe("a call over WebSocket", () => {
  it.live("INVITE/200/ACK over WS, then the server's BYE comes back over the client's connection", () =>
    Effect.gen(function*() {
      const server = yield* ServerSessionManager
      const events: Array<SessionEvent> = []
      yield* Stream.runForEach(yield* server.subscribe, (e) => Effect.sync(() => void events.push(e))).pipe(Effect.forkScoped)
      const ws = server.local.find((l) => l.transport === "ws")!
      const client = yield* wsClient(`ws://127.0.0.1:${ws.port}`)
      if (client === "refused") throw new Error("handshake refused")
      const sdp = lines("v=0", "o=- 1 1 IN IP4 127.0.0.1", "s=-", "c=IN IP4 127.0.0.1", "t=0 0", `m=audio ${rtpBase + 30} RTP/AVP 0`,
        "a=rtpmap:0 PCMU/8000", "a=sendrecv", "")
      const common = [`From: <sip:alice@example.com>;tag=wsa`, `Call-ID: ws-call@${host}`, "Max-Forwards: 70"]
      client.send(lines(
        `INVITE sip:echo@127.0.0.1:${ws.port};transport=ws SIP/2.0`,
        `Via: SIP/2.0/WS ${host};branch=z9hG4bK-ws-inv`,
        ...common, `To: <sip:echo@127.0.0.1>`, "CSeq: 1 INVITE",
        `Contact: <sip:alice@${host};transport=ws;ob>`, "Content-Type: application/sdp", `Content-Length: ${sdp.length}`, "", sdp
      ))
      const ok = yield* client.waitFor("SIP/2.0 200 OK")
      expect(ok).toBeDefined()
      expect(ok).toMatch(/Contact: <sip:[^>]*transport=ws>/)
      const toHeader = /^To: ([^\r\n]*)$/m.exec(ok!)![1]
      const contact = /^Contact: <([^>]*)>/m.exec(ok!)![1]
      client.send(lines(
        `ACK ${contact} SIP/2.0`, `Via: SIP/2.0/WS ${host};branch=z9hG4bK-ws-ack`, ...common, `To: ${toHeader}`,
        "CSeq: 1 ACK", "Content-Length: 0", "", ""
      ))
      const active = yield* waitForEvent(events, (e) => e._tag === "StateChanged" && e.to === "Active")
      // end() completes once the BYE is answered: the answer is ours to send, below.
      const ending = yield* Effect.forkScoped(server.end(active.sessionId!))
      const bye = yield* client.waitFor("BYE ")
      expect(bye).toMatch(new RegExp(`^BYE sip:alice@${host};transport=ws;ob SIP/2.0\\r\\nVia: SIP/2.0/WS `))
      const byeVia = /^Via: ([^\r\n]*)$/m.exec(bye!)![1]
      const byeFrom = /^From: ([^\r\n]*)$/m.exec(bye!)![1]
      const byeTo = /^To: ([^\r\n]*)$/m.exec(bye!)![1]
      const byeCSeq = /^CSeq: ([^\r\n]*)$/m.exec(bye!)![1]
      client.send(lines(
        "SIP/2.0 200 OK", `Via: ${byeVia}`, `From: ${byeFrom}`, `To: ${byeTo}`, `Call-ID: ws-call@${host}`,
        `CSeq: ${byeCSeq}`, "Content-Length: 0", "", ""
      ))
      yield* Fiber.join(ending)
      const ended = yield* waitForEvent(events, (e) => e._tag === "CallEnded")
      expect(ended).toMatchObject({ reason: { _tag: "NormalClearing", by: "local" } })
    }).pipe(
      Effect.scoped,
      Effect.provide(ServerSessionManager.layer(() => Effect.succeed(CallDecision.accept({ media: { _tag: "Silence" } })), {
        host: "127.0.0.1", port: 0, transports: ["udp", "ws"], rtpPortMin: rtpBase, rtpPortMax: rtpBase + 19, mediaTimeoutMs: 0, timers
      }))
    ))
})
