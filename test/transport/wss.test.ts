import * as NodeWS from "@effect/platform-node/NodeWS"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import * as Fs from "node:fs"
import { responseDestination } from "../../src/net/destination.ts"
import { isParseError, makeResponse, topVia } from "../../src/sip/index.ts"
import { isRequest } from "../../src/sip/message.ts"
import { makeTransport } from "../../src/transport/live.ts"
import { testPki } from "./certs.ts"
import { collectInbound } from "./support.ts"

const options = [
  "OPTIONS sip:127.0.0.1 SIP/2.0",
  "Via: SIP/2.0/WSS x8k2.invalid;branch=z9hG4bK-wss-1",
  "From: <sip:alice@127.0.0.1>;tag=w",
  "To: <sip:127.0.0.1>",
  "Call-ID: wss-1",
  "CSeq: 1 OPTIONS",
  "",
  ""
].join("\r\n")

describe("secure WebSocket (wss, RFC 7118)", () => {
  it.live("a client verifying our certificate exchanges SIP over wss; a wss transport without a certificate fails to build", () =>
    Effect.gen(function*() {
      const pki = yield* testPki
      const server = yield* makeTransport({ host: "127.0.0.1", port: 0, transports: ["wss"], tls: pki.issue("wss", "IP:127.0.0.1") })
      const local = server.local[0]
      expect(local.transport).toBe("wss")
      const inbound = yield* collectInbound(server)
      const frames: Array<string> = []
      const client = yield* Effect.acquireRelease(
        Effect.promise(() =>
          new Promise<NodeWS.WebSocket>((resolve, reject) => {
            const ws = new NodeWS.WebSocket(`wss://127.0.0.1:${local.port}`, "sip", { ca: Fs.readFileSync(pki.caFile) })
            ws.on("open", () => resolve(ws))
            ws.on("error", reject)
            ws.on("message", (data) => void frames.push(String(data)))
          })
        ),
        (ws) => Effect.sync(() => ws.close())
      )
      expect(client.protocol).toBe("sip")
      client.send(options)
      const request = yield* inbound.next()
      expect(request.source.transport).toBe("wss")
      if (!isRequest(request.message)) throw new Error("expected a request")
      const via = topVia(request.message)
      if (isParseError(via)) throw via
      yield* server.send(makeResponse(request.message, 200, "OK", { toTag: "s" }), responseDestination(via, request.source))
      for (let i = 0; i < 100 && frames.length === 0; i++) yield* Effect.sleep("20 millis")
      expect(frames[0]).toMatch(/^SIP\/2\.0 200 OK\r\nVia: SIP\/2\.0\/WSS x8k2\.invalid;branch=z9hG4bK-wss-1;received=127\.0\.0\.1\r\n/)

      const error = yield* Effect.flip(makeTransport({ host: "127.0.0.1", port: 0, transports: ["wss"] }))
      expect(error).toMatchObject({ _tag: "NetworkError", reason: "BindFailed", message: "wss needs a TLS certificate and key" })
    }))
})
