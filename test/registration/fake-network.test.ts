/**
 * Registration end to end on the real TransactionLayer over the in-memory FakeNetwork (real codec,
 * real Timer E/F retransmissions): a scripted registrar endpoint challenges, verifies the digest,
 * keeps bindings, answers OPTIONS.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Scope, Stream } from "effect"
import { TestClock } from "effect/testing"
import { register, type RegistrationEvent } from "../../src/registration/index.ts"
import { getHeader, makeResponse, parseNameAddr } from "../../src/sip/index.ts"
import type { SipRequest } from "../../src/sip/message.ts"
import { makeTransactionLayer } from "../../src/transaction/live.ts"
import { TransactionLayer } from "../../src/transaction/transaction-layer.ts"
import { makeFakeNetwork, type NetworkConditions } from "../../src/transport/fake.ts"
import { Transport } from "../../src/transport/transport.ts"
import { collectEvents, settle, tags, verifyAuthorization } from "./support.ts"

interface RegistrarLog {
  readonly requests: Array<SipRequest>
  /** contact URI → expiry (s) as last granted; removed on expires=0. */
  readonly bindings: Map<string, number>
}

/** A registrar on the fake network: 401 without valid credentials (fresh nonce each time), else 200. */
const scriptedRegistrar = (conditions: NetworkConditions) =>
  Effect.gen(function*() {
    const network = yield* makeFakeNetwork({ seed: 11, ...conditions })
    const uaTransport = yield* network.endpoint({ host: "10.0.0.1", port: 5060 })
    const ua = yield* makeTransactionLayer().pipe(Effect.provideService(Transport, uaTransport))
    const regTransport = yield* network.endpoint({ host: "10.0.0.2", port: 5060 })
    const registrar = yield* makeTransactionLayer().pipe(Effect.provideService(Transport, regTransport))
    const log: RegistrarLog = { requests: [], bindings: new Map() }
    let nonce = 0
    yield* Stream.runForEach(registrar.events, (event) => {
      if (event._tag !== "RequestReceived") return Effect.void
      const { id, request } = event.transaction
      log.requests.push(request)
      if (request.method !== "REGISTER") return Effect.ignore(registrar.respond(id, makeResponse(request, 200)))
      if (!verifyAuthorization(request, "secret")) {
        const challenge = `Digest realm="example.com", nonce="nonce-${++nonce}", qop="auth", algorithm=SHA-256`
        return Effect.ignore(registrar.respond(id, makeResponse(request, 401, undefined, { headers: [["WWW-Authenticate", challenge]] })))
      }
      const contact = parseNameAddr(getHeader(request, "contact") ?? "")
      if ("_tag" in contact) return Effect.ignore(registrar.respond(id, makeResponse(request, 400)))
      const granted = Math.min(Number(contact.params.expires ?? getHeader(request, "expires")), 120)
      if (granted === 0) log.bindings.delete(contact.uri)
      else log.bindings.set(contact.uri, granted)
      const headers = [...log.bindings].map(([uri, e]) => ["Contact", `<${uri}>;expires=${e}`] as const)
      return Effect.ignore(registrar.respond(id, makeResponse(request, 200, "OK", { headers })))
    }).pipe(Effect.forkScoped)
    return { ua, registrarEndpoint: regTransport.local[0]!, log, lost: network.lost }
  })

const start = (conditions: NetworkConditions = {}) =>
  Effect.gen(function*() {
    const { ua, registrarEndpoint, log, lost } = yield* scriptedRegistrar(conditions)
    const scope = yield* Scope.make()
    const handle = yield* register({
      registrar: registrarEndpoint,
      aor: "sip:alice@example.com",
      credentials: { username: "alice", password: "secret" },
      keepAliveInterval: "25 seconds"
    }).pipe(Scope.provide(scope), Effect.provideService(TransactionLayer, ua))
    const events: Array<RegistrationEvent> = yield* collectEvents(handle.events)
    yield* settle
    return { log, scope, events, handle, lost }
  })

describe("registration over the real TransactionLayer and the fake network", () => {
  it.effect("challenge, SHA-256 digest, 200; refresh at 88 s without a new challenge; OPTIONS; unregister on close", () =>
    Effect.gen(function*() {
      const { log, scope, events, handle } = yield* start()
      expect(log.requests.map((r) => r.method)).toEqual(["REGISTER", "REGISTER"])
      expect(events[0]).toEqual({ _tag: "Registered", expires: 120, refreshInMs: 88_000, contacts: ["sip:alice@10.0.0.1:5060"] })
      expect(log.bindings.get("sip:alice@10.0.0.1:5060")).toBe(120)
      expect(yield* handle.registered).toBe(true)
      yield* TestClock.adjust("88 seconds")
      yield* settle
      // Three OPTIONS (25, 50, 75 s) and one pre-signed refresh the registrar accepts at once.
      expect(log.requests.map((r) => r.method)).toEqual(["REGISTER", "REGISTER", "OPTIONS", "OPTIONS", "OPTIONS", "REGISTER"])
      const refresh = log.requests[5]!
      expect(getHeader(refresh, "cseq")).toBe("3 REGISTER")
      expect(getHeader(refresh, "authorization")).toMatch(/nc=00000002/)
      expect(tags(events)).toEqual(["Registered", "Registered"])
      yield* Scope.close(scope, Exit.void)
      yield* settle
      expect(getHeader(log.requests.at(-1)!, "expires")).toBe("0")
      expect(log.bindings.size).toBe(0)
      expect(events.at(-1)).toEqual({ _tag: "Unregistered", removed: true, status: 200 })
    }))

  it.effect("30 % UDP loss: Timer E retransmissions carry the registration through", () =>
    Effect.gen(function*() {
      const { log, events, lost } = yield* start({ loss: 0.3 })
      for (let i = 0; i < 32 && events.length === 0; i++) {
        yield* TestClock.adjust("500 millis")
        yield* settle
      }
      expect(events[0]).toMatchObject({ _tag: "Registered", expires: 120 })
      expect(log.bindings.size).toBe(1)
      expect(yield* lost).toBeGreaterThan(0)
    }))
})
