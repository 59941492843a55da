import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { NetworkError } from "../../src/errors.ts"
import { getHeader, isParseError, makeRequest, makeResponse, newBranch, topVia } from "../../src/sip/index.ts"
import { isRequest, isResponse } from "../../src/sip/message.ts"
import { responseDestination } from "../../src/net/destination.ts"
import { makeTransport } from "../../src/transport/live.ts"
import { collectInbound, rawOptions, rawTcp } from "./support.ts"

const tcpOnly = { host: "127.0.0.1", port: 0, transports: ["tcp"] as const }

const sleep = (ms: number) => Effect.promise(() => new Promise<void>((resolve) => setTimeout(resolve, ms)))

describe("TCP transport (RFC 3261 §18.3)", () => {
  it.live("§18.2.2: the response to a request received over TCP goes back over the same connection", () =>
    Effect.gen(function*() {
      const server = yield* makeTransport(tcpOnly)
      const inbound = yield* collectInbound(server)
      const peer = yield* rawTcp(server.local[0].port)
      yield* peer.write(rawOptions({ transport: "TCP", viaHost: "127.0.0.1", viaPort: 5060 }))
      const request = yield* inbound.next()
      expect(request.source).toEqual({ transport: "tcp", host: "127.0.0.1", port: peer.socket.localPort })
      expect(request.local).toEqual(server.local[0])
      if (!isRequest(request.message)) throw new Error("expected a request")
      const via = topVia(request.message)
      if (isParseError(via)) throw via
      // The sent-by port (5060) is not where the peer listens: only the connection reaches it.
      yield* server.send(makeResponse(request.message, 200, "OK", { toTag: "srv" }), responseDestination(via, request.source))
      const seen = yield* peer.waitFor("\r\n\r\n", 2000)
      expect(seen?.startsWith("SIP/2.0 200 OK\r\n")).toBe(true)
      expect(yield* server.stats).toMatchObject({ received: 1, sent: 1, openConnections: 1 })
    }))

  it.live("§18.3: two messages in one write, and one message split over several writes, are framed by Content-Length", () =>
    Effect.gen(function*() {
      const server = yield* makeTransport(tcpOnly)
      const inbound = yield* collectInbound(server)
      const peer = yield* rawTcp(server.local[0].port)
      const one = rawOptions({ transport: "TCP", viaHost: "127.0.0.1", viaPort: 5060, callId: "one", body: "hello" })
      const two = rawOptions({ transport: "TCP", viaHost: "127.0.0.1", viaPort: 5060, callId: "two", body: "" })
      yield* peer.write(one + two)
      const three = rawOptions({ transport: "TCP", viaHost: "127.0.0.1", viaPort: 5060, callId: "three", body: "x=1\r\ny=2" })
      // Split inside the start line, inside a header, and inside the body.
      for (const cut of [[0, 5], [5, 60], [60, three.length - 4], [three.length - 4, three.length]]) {
        yield* peer.write(three.slice(cut[0], cut[1]))
        yield* sleep(20)
      }
      const got = [yield* inbound.next(), yield* inbound.next(), yield* inbound.next()]
      expect(got.map((m) => getHeader(m.message, "call-id"))).toEqual(["one", "two", "three"])
      expect(got.map((m) => new TextDecoder().decode(m.message.body))).toEqual(["hello", "", "x=1\r\ny=2"])
      expect((yield* server.stats).malformed).toBe(0)
    }))

  it.live("a connection idle past tcpIdleTimeoutMs is closed and leaves the connection map", () =>
    Effect.gen(function*() {
      const server = yield* makeTransport({ ...tcpOnly, tcpIdleTimeoutMs: 200 })
      const peer = yield* rawTcp(server.local[0].port)
      yield* sleep(50)
      expect((yield* server.stats).openConnections).toBe(1)
      expect(yield* peer.closed(100)).toBe(false)
      expect(yield* peer.closed(2000)).toBe(true)
      yield* sleep(20)
      expect((yield* server.stats).openConnections).toBe(0)
    }))

  it.live("a message larger than maxMessageSize closes its connection and is counted", () =>
    Effect.gen(function*() {
      const server = yield* makeTransport({ ...tcpOnly, maxMessageSize: 1000 })
      const inbound = yield* collectInbound(server)
      const peer = yield* rawTcp(server.local[0].port)
      yield* peer.write(rawOptions({ transport: "TCP", viaHost: "127.0.0.1", viaPort: 5060, body: "x".repeat(3000) }))
      expect(yield* peer.closed(2000)).toBe(true)
      const stats = yield* server.stats
      expect(stats.malformed).toBe(1)
      expect((stats as { oversize?: number }).oversize).toBe(1)
      expect(stats.received).toBe(0)
      expect(yield* inbound.size).toBe(0)
    }))

  it.live("§21.4.1: a framed but unparseable request on TCP is answered 400 over its connection, which stays open", () =>
    Effect.gen(function*() {
      const server = yield* makeTransport(tcpOnly)
      const inbound = yield* collectInbound(server)
      const peer = yield* rawTcp(server.local[0].port)
      const bad = rawOptions({ transport: "TCP", viaHost: "127.0.0.1", viaPort: 5060, extraHeaders: ["this line has no colon"] })
      yield* peer.write(bad)
      const seen = yield* peer.waitFor(/^SIP\/2\.0 400 [^\r]+\r\n[\s\S]*\r\n\r\n/, 2000)
      expect(seen).toContain("Call-ID: raw-call-1@127.0.0.1")
      // The stream is still in sync: the next message goes up.
      yield* peer.write(rawOptions({ transport: "TCP", viaHost: "127.0.0.1", viaPort: 5060, callId: "after-bad" }))
      expect(getHeader((yield* inbound.next()).message, "call-id")).toBe("after-bad")
      expect(yield* server.stats).toMatchObject({ malformed: 1, received: 1, openConnections: 1 })
    }))

  it.live("double-CRLF ping gets a CRLF pong (RFC 5626 §4.4.1)", () =>
    Effect.gen(function*() {
      const server = yield* makeTransport(tcpOnly)
      const peer = yield* rawTcp(server.local[0].port)
      yield* peer.write("\r\n\r\n")
      expect(yield* peer.waitFor("\r\n", 2000)).toBe("\r\n")
      expect((yield* server.stats).malformed).toBe(0)
    }))

  it.live("§18.1.1: a request to a new peer opens a connection; the response comes back over it; later sends reuse it", () =>
    Effect.gen(function*() {
      const alice = yield* makeTransport(tcpOnly)
      const bob = yield* makeTransport(tcpOnly)
      const aliceIn = yield* collectInbound(alice)
      const bobIn = yield* collectInbound(bob)
      const request = (n: number) =>
        makeRequest({
          method: "OPTIONS",
          uri: `sip:bob@127.0.0.1:${bob.local[0].port};transport=tcp`,
          headers: [
            ["Via", `SIP/2.0/TCP 127.0.0.1:${alice.local[0].port};branch=${newBranch()}`],
            ["Max-Forwards", "70"],
            ["From", "<sip:alice@127.0.0.1>;tag=a1"],
            ["To", "<sip:bob@127.0.0.1>"],
            ["Call-ID", `tcp-exchange-${n}`],
            ["CSeq", `${n} OPTIONS`]
          ]
        })
      for (const n of [1, 2]) {
        yield* alice.send(request(n), bob.local[0])
        const got = yield* bobIn.next()
        if (!isRequest(got.message)) throw new Error("expected a request")
        const via = topVia(got.message)
        if (isParseError(via)) throw via
        yield* bob.send(makeResponse(got.message, 200, "OK", { toTag: "b" }), responseDestination(via, got.source))
        const answer = yield* aliceIn.next()
        expect(isResponse(answer.message) && answer.message.status).toBe(200)
        expect(answer.source).toEqual(bob.local[0])
      }
      expect((yield* alice.stats).openConnections).toBe(1)
      expect((yield* bob.stats).openConnections).toBe(1)
    }))

  it.live("sending to a TCP port nobody listens on fails with NetworkError ConnectFailed", () =>
    Effect.gen(function*() {
      const gone = yield* Effect.scoped(makeTransport(tcpOnly).pipe(Effect.map((t) => t.local[0])))
      const alice = yield* makeTransport(tcpOnly)
      const options = makeRequest({
        method: "OPTIONS",
        uri: `sip:nobody@127.0.0.1:${gone.port}`,
        headers: [
          ["Via", `SIP/2.0/TCP 127.0.0.1:${alice.local[0].port};branch=${newBranch()}`],
          ["From", "<sip:alice@127.0.0.1>;tag=a1"],
          ["To", "<sip:nobody@127.0.0.1>"],
          ["Call-ID", "nobody"],
          ["CSeq", "1 OPTIONS"]
        ]
      })
      const error = yield* alice.send(options, { transport: "tcp", host: "127.0.0.1", port: gone.port }).pipe(Effect.flip)
      expect(error).toBeInstanceOf(NetworkError)
      expect(error.reason).toBe("ConnectFailed")
      expect(error.message).toContain("ECONNREFUSED")
      expect((yield* alice.stats).openConnections).toBe(0)
    }))
})
