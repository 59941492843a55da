import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { requestDestination } from "../../src/net/destination.ts"
import { isParseError, makeRequest, newBranch } from "../../src/sip/index.ts"
import { makeTransport } from "../../src/transport/live.ts"
import { rawTcpServer } from "./support.ts"

describe("sips: without TLS (RFC 5630 §3.1.3)", () => {
  it.live("a sips: target is refused with a typed NetworkError, and nothing reaches the peer in the clear", () =>
    Effect.gen(function*() {
      // A plain TCP peer listens where the sips: URI points: a downgrade would show up here.
      const peer = yield* rawTcpServer
      const transport = yield* makeTransport({ host: "127.0.0.1", port: 0, transports: ["udp", "tcp"] })
      const uri = `sips:bob@127.0.0.1:${peer.port}`
      const destination = requestDestination(uri)
      if (isParseError(destination)) throw destination
      const request = makeRequest({
        method: "OPTIONS",
        uri,
        headers: [["Via", `SIP/2.0/TLS 127.0.0.1:5061;branch=${newBranch()}`], ["From", "<sips:a@127.0.0.1>;tag=1"],
          ["To", `<${uri}>`], ["Call-ID", "sips-refused"], ["CSeq", "1 OPTIONS"], ["Max-Forwards", "70"]]
      })
      const error = yield* Effect.flip(transport.send(request, destination))
      expect(error._tag).toBe("NetworkError")
      expect(error.refusal).toBe("TransportUnavailable")
      expect(error.message).toContain("tls")
      yield* Effect.sleep("100 millis")
      expect(peer.accepted()).toBe(0)
      expect((yield* transport.stats).sent).toBe(0)
    }))
})
