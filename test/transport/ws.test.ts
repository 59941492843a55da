import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import * as Net from "node:net"
import { requestDestination, responseDestination } from "../../src/net/destination.ts"
import { getHeader, isParseError, makeRequest, makeResponse, topVia } from "../../src/sip/index.ts"
import { isRequest } from "../../src/sip/message.ts"
import { makeTransport } from "../../src/transport/live.ts"
import { collectInbound } from "./support.ts"
import { wsClient } from "./ws-client.ts"

const wsOnly = (ws: { pingIntervalMs?: number; maxConnectionsPerSource?: number } = {}) =>
  makeTransport({ host: "127.0.0.1", port: 0, transports: ["ws"], ws })

/** A REGISTER as JsSIP/SIP.js write it: `.invalid` Via host, no Content-Length needed (RFC 7118 §5). */
const register = (branch: string) =>
  [
    "REGISTER sip:127.0.0.1 SIP/2.0",
    `Via: SIP/2.0/WS df7jal23ls0d.invalid;branch=${branch}`,
    "Max-Forwards: 70",
    "From: <sip:alice@127.0.0.1>;tag=ws1",
    "To: <sip:alice@127.0.0.1>",
    "Call-ID: ws-call-1",
    "CSeq: 1 REGISTER",
    "Contact: <sip:alice@df7jal23ls0d.invalid;transport=ws>",
    "",
    ""
  ].join("\r\n")

describe("WebSocket transport (RFC 7118)", () => {
  it.live("one message per frame; the response and a later request go back over the client's connection", () =>
    Effect.gen(function*() {
      const server = yield* wsOnly()
      const local = server.local[0]
      expect(local.transport).toBe("ws")
      const inbound = yield* collectInbound(server)
      const client = yield* wsClient(`ws://127.0.0.1:${local.port}`)
      if (client === "refused") throw new Error("handshake refused")
      expect(client.socket.protocol).toBe("sip")
      client.send(register("z9hG4bK-ws-1"))
      const received = yield* inbound.next()
      expect(received.source.transport).toBe("ws")
      if (!isRequest(received.message)) throw new Error("expected a request")
      // §18.2.1: the .invalid sent-by is not the source, so `received` names the real address.
      expect(getHeader(received.message, "via")).toBe("SIP/2.0/WS df7jal23ls0d.invalid;branch=z9hG4bK-ws-1;received=127.0.0.1")
      const via = topVia(received.message)
      if (isParseError(via)) throw via
      yield* server.send(makeResponse(received.message, 200, "OK", { toTag: "srv" }), responseDestination(via, received.source))
      expect(yield* client.waitFor("SIP/2.0 200 OK")).toContain("CSeq: 1 REGISTER")
      // A request to the Contact's .invalid host (an in-dialog request, or a call to a registered user).
      const target = requestDestination("sip:alice@df7jal23ls0d.invalid;transport=ws")
      if (isParseError(target)) throw target
      const options = makeRequest({
        method: "OPTIONS",
        uri: "sip:alice@df7jal23ls0d.invalid;transport=ws",
        headers: [["Via", `SIP/2.0/WS 127.0.0.1:${local.port};branch=z9hG4bK-srv-1`], ["From", "<sip:srv@127.0.0.1>;tag=s"],
          ["To", "<sip:alice@127.0.0.1>"], ["Call-ID", "ws-opt"], ["CSeq", "1 OPTIONS"], ["Max-Forwards", "70"]]
      })
      yield* server.send(options, target)
      expect(yield* client.waitFor("OPTIONS sip:alice@df7jal23ls0d.invalid")).toBeDefined()
      expect(client.frames.length).toBe(2)
      expect((yield* server.stats).openConnections).toBe(1)
    }))

  it.live("a handshake without the sip subprotocol is refused; so is a source over its connection limit", () =>
    Effect.gen(function*() {
      const server = yield* wsOnly({ maxConnectionsPerSource: 2 })
      const url = `ws://127.0.0.1:${server.local[0].port}`
      expect(yield* wsClient(url, ["chat"])).toBe("refused")
      expect(yield* wsClient(url)).not.toBe("refused")
      expect(yield* wsClient(url)).not.toBe("refused")
      expect(yield* wsClient(url)).toBe("refused")
      expect((yield* server.stats).openConnections).toBe(2)
    }))

  it.live("a request to a WebSocket peer with no connection fails with ConnectionLost (we never dial)", () =>
    Effect.gen(function*() {
      const server = yield* wsOnly()
      const target = requestDestination("sip:bob@gone.invalid;transport=ws")
      if (isParseError(target)) throw target
      const request = makeRequest({
        method: "OPTIONS",
        uri: "sip:bob@gone.invalid;transport=ws",
        headers: [["Via", "SIP/2.0/WS 127.0.0.1:1;branch=z9hG4bK-x"], ["From", "<sip:a@b>;tag=1"], ["To", "<sip:bob@b>"],
          ["Call-ID", "x"], ["CSeq", "1 OPTIONS"]]
      })
      const error = yield* Effect.flip(server.send(request, target))
      expect(error).toMatchObject({ _tag: "NetworkError", reason: "ConnectionLost" })
    }))

  it.live("a peer that answers no ping is closed after the next interval; a browser-like client stays", () =>
    Effect.gen(function*() {
      const server = yield* wsOnly({ pingIntervalMs: 150 })
      const port = server.local[0].port
      const alive = yield* wsClient(`ws://127.0.0.1:${port}`)
      // A raw upgrade that then never reads a frame: it cannot pong.
      const mute = Net.createConnection({ host: "127.0.0.1", port })
      let closed = false
      mute.on("close", () => void (closed = true))
      mute.on("error", () => {})
      // Read (and drop) what arrives, pings included, so that the end of the stream is seen.
      mute.resume()
      mute.write(
        `GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          `Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: sip\r\n\r\n`
      )
      yield* Effect.addFinalizer(() => Effect.sync(() => mute.destroy()))
      yield* Effect.sleep("700 millis")
      expect(closed).toBe(true)
      expect(alive !== "refused" && alive.socket.readyState).toBe(WebSocket.OPEN)
      expect((yield* server.stats).openConnections).toBe(1)
    }))
})
