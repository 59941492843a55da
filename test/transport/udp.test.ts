import { describe, expect, it } from "@effect/vitest"
import { Context, Effect, Exit, Layer, Scope } from "effect"
import { NetworkError } from "../../src/errors.ts"
import { getHeader, isParseError, makeRequest, makeResponse, newBranch, topVia } from "../../src/sip/index.ts"
import { isRequest, isResponse } from "../../src/sip/message.ts"
import { responseDestination } from "../../src/net/destination.ts"
import { makeTransport, TransportLive } from "../../src/transport/live.ts"
import { Transport } from "../../src/transport/transport.ts"
import { collectInbound, rawOptions, rawUdp } from "./support.ts"

const udpOnly = { host: "127.0.0.1", port: 0, transports: ["udp"] as const }

describe("UDP transport (RFC 3261 §18)", () => {
  it.live("§18.1.1/§18.2.2: two transports exchange an OPTIONS and its 200 over UDP", () =>
    Effect.gen(function*() {
      const alice = yield* makeTransport(udpOnly)
      const bob = yield* makeTransport(udpOnly)
      const aliceIn = yield* collectInbound(alice)
      const bobIn = yield* collectInbound(bob)
      const bobAddr = bob.local[0]
      const aliceAddr = alice.local[0]
      const options = makeRequest({
        method: "OPTIONS",
        uri: `sip:bob@127.0.0.1:${bobAddr.port}`,
        headers: [
          ["Via", `SIP/2.0/UDP 127.0.0.1:${aliceAddr.port};branch=${newBranch()};rport`],
          ["Max-Forwards", "70"],
          ["From", "<sip:alice@127.0.0.1>;tag=a1"],
          ["To", "<sip:bob@127.0.0.1>"],
          ["Call-ID", "udp-exchange-1"],
          ["CSeq", "1 OPTIONS"]
        ]
      })
      yield* alice.send(options, bobAddr)
      const request = yield* bobIn.next()
      expect(isRequest(request.message)).toBe(true)
      expect(request.source).toEqual({ transport: "udp", host: "127.0.0.1", port: aliceAddr.port })
      expect(request.local.port).toBe(bobAddr.port)
      if (!isRequest(request.message)) return
      const via = topVia(request.message)
      if (isParseError(via)) throw via
      const destination = responseDestination(via, request.source)
      expect(destination).toEqual({ transport: "udp", host: "127.0.0.1", port: aliceAddr.port })
      yield* bob.send(makeResponse(request.message, 200, "OK", { toTag: "b1" }), destination)
      const response = yield* aliceIn.next()
      expect(isResponse(response.message) && response.message.status).toBe(200)
      expect(getHeader(response.message, "call-id")).toBe("udp-exchange-1")
      expect(yield* alice.stats).toMatchObject({ sent: 1, received: 1, malformed: 0, dropped: 0 })
      expect(yield* bob.stats).toMatchObject({ sent: 1, received: 1, malformed: 0, dropped: 0 })
    }))

  it.live("§18.2.1 + RFC 3581 §4: received and rport are stamped on the top Via of a request", () =>
    Effect.gen(function*() {
      const server = yield* makeTransport(udpOnly)
      const inbound = yield* collectInbound(server)
      const peer = yield* rawUdp
      // sent-by names another host and asks for rport: both params get filled.
      yield* peer.send(rawOptions({ transport: "UDP", viaHost: "192.0.2.7", viaPort: 5070, rport: true }), server.local[0].port)
      const first = yield* inbound.next()
      expect(getHeader(first.message, "via")).toBe(
        `SIP/2.0/UDP 192.0.2.7:5070;branch=z9hG4bK-raw-1;rport=${peer.port};received=127.0.0.1`
      )
      // sent-by is the source address and no rport: the Via is left as written.
      yield* peer.send(
        rawOptions({ transport: "UDP", viaHost: "127.0.0.1", viaPort: peer.port, branch: "z9hG4bK-raw-2" }),
        server.local[0].port
      )
      const second = yield* inbound.next()
      expect(getHeader(second.message, "via")).toBe(`SIP/2.0/UDP 127.0.0.1:${peer.port};branch=z9hG4bK-raw-2`)
      // RFC 3581 §4: with rport, received is added even when it equals sent-by.
      yield* peer.send(
        rawOptions({ transport: "UDP", viaHost: "127.0.0.1", viaPort: 5060, rport: true, branch: "z9hG4bK-raw-3" }),
        server.local[0].port
      )
      const third = yield* inbound.next()
      const via = topVia(third.message)
      if (isParseError(via)) throw via
      expect(via.received).toBe("127.0.0.1")
      expect(via.rport).toBe(peer.port)
      expect(responseDestination(via, third.source)).toEqual({ transport: "udp", host: "127.0.0.1", port: peer.port })
    }))

  it.live("§21.4.1: an unparseable request that still names Via/From/To/Call-ID/CSeq is answered 400 with a reason", () =>
    Effect.gen(function*() {
      const server = yield* makeTransport(udpOnly)
      const inbound = yield* collectInbound(server)
      const peer = yield* rawUdp
      // Content-Length claims more body than the datagram holds (§18.3: answer 400).
      const bad = rawOptions({ transport: "UDP", viaHost: "127.0.0.1", viaPort: 5060, body: "v=0\r\n", contentLength: 500 })
      yield* peer.send(bad, server.local[0].port)
      const answer = yield* peer.receive(2000)
      expect(answer).toBeDefined()
      const statusLine = answer!.split("\r\n")[0]
      expect(statusLine).toMatch(/^SIP\/2\.0 400 \S/)
      expect(statusLine.length).toBeGreaterThan("SIP/2.0 400 ".length + 3)
      expect(answer).toContain("Call-ID: raw-call-1@127.0.0.1")
      expect(answer).toContain("CSeq: 1 OPTIONS")
      expect(answer).toContain("Via: SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bK-raw-1")
      const stats = yield* server.stats
      expect(stats.malformed).toBe(1)
      expect(stats.received).toBe(0)
      expect(yield* inbound.size).toBe(0)
    }))

  it.live("pure garbage is dropped, counted as malformed and never goes up; CRLF keep-alives are ignored", () =>
    Effect.gen(function*() {
      const server = yield* makeTransport(udpOnly)
      const inbound = yield* collectInbound(server)
      const peer = yield* rawUdp
      yield* peer.send("\x00\x01 this is not SIP at all \xff", server.local[0].port)
      yield* peer.send("\r\n\r\n", server.local[0].port)
      // A well-formed request after them proves the socket kept reading and fixes the ordering.
      yield* peer.send(rawOptions({ transport: "UDP", viaHost: "127.0.0.1", viaPort: peer.port }), server.local[0].port)
      const ok = yield* inbound.next()
      expect(getHeader(ok.message, "call-id")).toBe("raw-call-1@127.0.0.1")
      expect(yield* peer.receive(200)).toBeUndefined()
      expect(yield* server.stats).toMatchObject({ malformed: 1, received: 1, dropped: 0 })
    }))

  it.live("a datagram over maxMessageSize is answered 513 Message Too Large (§21.5.14) and counted", () =>
    Effect.gen(function*() {
      const server = yield* makeTransport({ ...udpOnly, maxMessageSize: 1000 })
      const peer = yield* rawUdp
      yield* peer.send(rawOptions({ transport: "UDP", viaHost: "127.0.0.1", viaPort: 5060, body: "x".repeat(2000) }), server.local[0].port)
      const answer = yield* peer.receive(2000)
      expect(answer?.split("\r\n")[0]).toBe("SIP/2.0 513 Message Too Large")
      expect(yield* server.stats).toMatchObject({ malformed: 1, received: 0 })
    }))

  it.live("a full receive buffer drops new datagrams and counts them (bounded, dropping policy)", () =>
    Effect.gen(function*() {
      // Nobody consumes `inbound`: the one-slot queue fills, the read loop blocks on it (backpressure),
      // then the 4-datagram receive buffer fills and everything after it is dropped.
      const server = yield* makeTransport({ ...udpOnly, receiveBufferCapacity: 4, inboundQueueCapacity: 1 })
      const peer = yield* rawUdp
      const total = 50
      for (let i = 0; i < total; i++) {
        yield* peer.send(rawOptions({ transport: "UDP", viaHost: "127.0.0.1", viaPort: peer.port, callId: `flood-${i}` }), server.local[0].port)
      }
      yield* Effect.promise(() => new Promise((resolve) => setTimeout(resolve, 200)))
      const stats = yield* server.stats
      // At most: one batch offered into the queue, one batch held by the blocked loop, 4 buffered.
      expect(stats.received).toBeLessThanOrEqual(5)
      expect(stats.dropped).toBeGreaterThanOrEqual(30)
      expect(stats.received + stats.dropped).toBeLessThanOrEqual(total)
    }))

  it.live("closing the layer's scope closes the sockets: the same port binds again", () =>
    Effect.gen(function*() {
      const config = { host: "127.0.0.1", port: 0, transports: ["udp", "tcp"] as const }
      const scope = yield* Scope.make()
      const first = yield* Layer.buildWithScope(TransportLive.layer(config), scope)
      const transport = Context.get(first, Transport)
      const port = transport.local[0].port
      expect(transport.local.map((l) => [l.transport, l.port])).toEqual([["udp", port], ["tcp", port]])
      yield* Scope.close(scope, Exit.void)
      const again = yield* makeTransport({ ...config, port })
      expect(again.local.map((l) => l.port)).toEqual([port, port])
    }))

  it.live("binding a port already in use fails with NetworkError BindFailed", () =>
    Effect.gen(function*() {
      const holder = yield* makeTransport(udpOnly)
      const port = holder.local[0].port
      const error = yield* makeTransport({ ...udpOnly, port }).pipe(Effect.flip)
      expect(error).toBeInstanceOf(NetworkError)
      expect(error.reason).toBe("BindFailed")
      expect(error.address).toBe(`127.0.0.1:${port}`)
      expect(error.message).toContain(`port ${port} already in use`)
    }))
})
