import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { responseDestination } from "../../src/net/destination.ts"
import { getHeader, isParseError, makeRequest, makeResponse, newBranch, topVia } from "../../src/sip/index.ts"
import { isRequest, isResponse } from "../../src/sip/message.ts"
import { makeTransport } from "../../src/transport/live.ts"
import type { Endpoint } from "../../src/transport/transport.ts"
import { testPki } from "./certs.ts"
import { collectInbound } from "./support.ts"

const options = (target: Endpoint, callId: string) =>
  makeRequest({
    method: "OPTIONS",
    uri: `sips:bob@${target.host}:${target.port}`,
    headers: [
      ["Via", `SIP/2.0/TLS 127.0.0.1:5061;branch=${newBranch()};rport`],
      ["From", "<sips:alice@127.0.0.1>;tag=a"],
      ["To", `<sips:bob@${target.host}>`],
      ["Call-ID", callId],
      ["CSeq", "1 OPTIONS"],
      ["Max-Forwards", "70"]
    ]
  })

/** A TLS server with `cert`, and an outbound-only TLS client trusting the test CA (or the system CAs). */
const pair = (cert: { readonly certFile: string; readonly keyFile: string }, caFile: string | undefined, idleMs?: number) =>
  Effect.gen(function*() {
    const server = yield* makeTransport({ host: "127.0.0.1", port: 0, transports: ["tls"], tls: cert })
    const client = yield* makeTransport({
      host: "127.0.0.1",
      port: 0,
      transports: ["udp", "tls"],
      ...(idleMs !== undefined ? { tcpIdleTimeoutMs: idleMs } : {}),
      tls: caFile === undefined ? {} : { caFile }
    })
    const target = server.local.find((l) => l.transport === "tls")!
    return { server, client, target }
  })

describe("TLS transport (RFC 3261 §26, RFC 5922)", () => {
  it.live("a request over TLS verified against the CA, its response back over the same connection, reused", () =>
    Effect.gen(function*() {
      const pki = yield* testPki
      const { client, server, target } = yield* pair(pki.issue("good", "IP:127.0.0.1"), pki.caFile)
      expect(target.transport).toBe("tls")
      const serverIn = yield* collectInbound(server)
      const clientIn = yield* collectInbound(client)
      for (const callId of ["tls-1", "tls-2"]) {
        yield* client.send(options(target, callId), target)
        const request = yield* serverIn.next()
        expect(request.source.transport).toBe("tls")
        if (!isRequest(request.message)) throw new Error("expected a request")
        const via = topVia(request.message)
        if (isParseError(via)) throw via
        yield* server.send(makeResponse(request.message, 200, "OK", { toTag: "b" }), responseDestination(via, request.source))
        const response = yield* clientIn.next()
        expect(isResponse(response.message) && response.message.status).toBe(200)
        expect(response.source).toEqual(target)
      }
      // One connection for both requests and both responses (§18.2.2 / connection reuse per peer).
      expect((yield* client.stats).openConnections).toBe(1)
      expect((yield* server.stats).openConnections).toBe(1)
    }))

  const refused = [
    { name: "a certificate for another host name", san: "DNS:wrong.example", days: 2, ca: true, refusal: "HostnameMismatch" },
    { name: "an expired certificate", san: "IP:127.0.0.1", days: -1, ca: true, refusal: "CertificateExpired" },
    { name: "a certificate from a CA we do not trust", san: "IP:127.0.0.1", days: 2, ca: false, refusal: "UnknownCA" }
  ] as const
  for (const row of refused) {
    it.live(`${row.name} is refused with refusal ${row.refusal}, nothing sent`, () =>
      Effect.gen(function*() {
        const pki = yield* testPki
        const { client, server, target } = yield* pair(pki.issue(row.refusal, row.san, row.days), row.ca ? pki.caFile : undefined)
        const serverIn = yield* collectInbound(server)
        const error = yield* Effect.flip(client.send(options(target, "refused"), target))
        expect(error).toMatchObject({ _tag: "NetworkError", reason: "ConnectFailed", refusal: row.refusal })
        expect(error.message).toContain(row.refusal)
        expect(yield* serverIn.size).toBe(0)
        expect((yield* client.stats).openConnections).toBe(0)
      }))
  }

  it.live("an idle TLS connection is closed after the idle timeout", () =>
    Effect.gen(function*() {
      const pki = yield* testPki
      const { client, server, target } = yield* pair(pki.issue("idle", "IP:127.0.0.1"), pki.caFile, 300)
      const serverIn = yield* collectInbound(server)
      yield* client.send(options(target, "idle"), target)
      yield* serverIn.next()
      expect((yield* client.stats).openConnections).toBe(1)
      yield* Effect.sleep("700 millis")
      expect((yield* client.stats).openConnections).toBe(0)
    }))

  it.live("mutual TLS: a client without a certificate is refused at the handshake, one with a CA-signed certificate gets through", () =>
    Effect.gen(function*() {
      const pki = yield* testPki
      const server = yield* makeTransport({
        host: "127.0.0.1", port: 0, transports: ["tls"],
        tls: { ...pki.issue("mtls-server", "IP:127.0.0.1"), caFile: pki.caFile, requireClientCertificate: true }
      })
      const target = server.local[0]
      const serverIn = yield* collectInbound(server)
      const anonymous = yield* makeTransport({ host: "127.0.0.1", port: 0, transports: ["udp", "tls"], tls: { caFile: pki.caFile } })
      yield* Effect.ignore(anonymous.send(options(target, "anonymous"), target))
      yield* Effect.sleep("300 millis")
      expect(yield* serverIn.size).toBe(0)
      const known = yield* makeTransport({
        host: "127.0.0.1", port: 0, transports: ["tls"], tls: { ...pki.issue("mtls-client", "IP:127.0.0.1"), caFile: pki.caFile }
      })
      yield* known.send(options(target, "known"), target)
      const request = yield* serverIn.next()
      expect(request.source.transport).toBe("tls")
      expect(isRequest(request.message) && getHeader(request.message, "call-id")).toBe("known")
    }))

  it.live("a TLS listener whose certificate file is missing fails the layer with BindFailed", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(
        makeTransport({ host: "127.0.0.1", port: 0, transports: ["tls"], tls: { certFile: "/nonexistent.pem", keyFile: "/nonexistent.key" } })
      )
      expect(error).toMatchObject({ _tag: "NetworkError", reason: "BindFailed", address: "/nonexistent.pem" })
    }))
})
