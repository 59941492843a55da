/**
 * Registration over real UDP sockets on 127.0.0.1: the UA runs the real Transport and TransactionLayer;
 * the registrar is a bare node:dgram socket that parses with src/sip and answers by hand.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Option, Scope, Stream } from "effect"
import * as Dgram from "node:dgram"
import { register } from "../../src/registration/index.ts"
import { getHeader, isParseError, makeResponse, parseMessage, serialize } from "../../src/sip/index.ts"
import type { SipRequest } from "../../src/sip/message.ts"
import { makeTransactionLayer } from "../../src/transaction/live.ts"
import { TransactionLayer } from "../../src/transaction/transaction-layer.ts"
import { makeTransport } from "../../src/transport/live.ts"
import { Transport } from "../../src/transport/transport.ts"
import { verifyAuthorization } from "./support.ts"

/** 401 to anything without valid credentials, 200 (expires 60) otherwise. */
const udpRegistrar = Effect.acquireRelease(
  Effect.promise(() =>
    new Promise<Dgram.Socket>((resolve) => {
      const socket = Dgram.createSocket("udp4")
      socket.bind(0, "127.0.0.1", () => resolve(socket))
    })
  ),
  (socket) => Effect.sync(() => socket.close())
).pipe(Effect.map((socket) => {
  const received: Array<SipRequest> = []
  socket.on("message", (bytes, peer) => {
    const message = parseMessage(bytes)
    if (isParseError(message) || message._tag !== "SipRequest") return
    received.push(message)
    const response = verifyAuthorization(message, "secret")
      ? makeResponse(message, 200, "OK", {
        headers: [["Contact", (getHeader(message, "contact") ?? "").replace(/expires=3600/, "expires=60")]]
      })
      : makeResponse(message, 401, undefined, {
        headers: [["WWW-Authenticate", `Digest realm="example.com", nonce="${Date.now()}", qop="auth"`]]
      })
    socket.send(serialize(response), peer.port, peer.address)
  })
  return { port: socket.address().port, received }
}))

describe("registration over UDP on 127.0.0.1", () => {
  it.live("401 → digest → 200 over real sockets; scope close sends Expires: 0", () =>
    Effect.gen(function*() {
      const registrar = yield* udpRegistrar
      const transport = yield* makeTransport({ host: "127.0.0.1", port: 0, transports: ["udp"] })
      const layer = yield* makeTransactionLayer().pipe(Effect.provideService(Transport, transport))
      const scope = yield* Scope.make()
      const handle = yield* register({
        registrar: { transport: "udp", host: "127.0.0.1", port: registrar.port },
        aor: "sip:alice@example.com",
        credentials: { username: "alice", password: "secret" }
      }).pipe(Scope.provide(scope), Effect.provideService(TransactionLayer, layer))
      const first = yield* Stream.runHead(handle.events).pipe(Effect.timeout("5 seconds"))
      expect(first).toEqual(Option.some({
        _tag: "Registered",
        expires: 60,
        refreshInMs: 30_000,
        contacts: [`sip:alice@127.0.0.1:${transport.local[0]!.port}`]
      }))
      yield* Scope.close(scope, Exit.void)
      expect(registrar.received.map((r) => getHeader(r, "expires"))).toEqual(["3600", "3600", "0"])
      expect(registrar.received.map((r) => getHeader(r, "cseq"))).toEqual(["1 REGISTER", "2 REGISTER", "3 REGISTER"])
    }), { timeout: 15_000 })
})
