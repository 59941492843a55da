import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Fiber, Scope } from "effect"
import { TestClock } from "effect/testing"
import { NetworkError } from "../../src/errors.ts"
import { makeResponse, parseNameAddr } from "../../src/sip/index.ts"
import type { SipRequest } from "../../src/sip/message.ts"
import { register, type RegistrationConfig, type RegistrationEvent } from "../../src/registration/index.ts"
import {
  answer,
  challenge,
  collectEvents,
  fakeTransactions,
  header,
  ok,
  realm,
  registrar,
  type Script,
  settle,
  tags,
  timeout,
  verifyAuthorization
} from "./support.ts"

const config: RegistrationConfig = {
  registrar,
  aor: "sip:alice@example.com",
  credentials: { username: "alice", password: "secret" },
  userAgent: "effect-sip-test"
}

/** Starts a registration in its own scope (closed by the test), with the fake layer and events collected. */
const start = (script: Script, overrides: Partial<RegistrationConfig> = {}) =>
  Effect.gen(function*() {
    const fake = fakeTransactions(script)
    const scope = yield* Scope.make()
    const handle = yield* register({ ...config, ...overrides }).pipe(Scope.provide(scope), Effect.provide(fake.layer))
    const events = yield* collectEvents(handle.events)
    return { ...fake, scope, handle, events }
  })

const registers = (sent: ReadonlyArray<{ readonly request: SipRequest }>) =>
  sent.filter((s) => s.request.method === "REGISTER").map((s) => s.request)

describe("REGISTER (RFC 3261 §10.2)", () => {
  it.effect("§10.2: To = From = AOR, From tag, Call-ID, CSeq 1, Contact;expires and Expires; 2xx → Registered", () =>
    Effect.gen(function*() {
      const { sent, events, handle } = yield* start((r) => answer(ok(r)))
      const [first] = registers(sent)
      expect(first!.uri).toBe("sip:example.com")
      expect(header(first!, "to")).toBe("<sip:alice@example.com>")
      const from = parseNameAddr(header(first!, "from"))
      expect(from).toMatchObject({ uri: "sip:alice@example.com" })
      expect("tag" in from && from.tag).toMatch(/.+/)
      expect(header(first!, "call-id")).toMatch(/.+@127\.0\.0\.1$/)
      expect(header(first!, "cseq")).toBe("1 REGISTER")
      expect(header(first!, "contact")).toBe("<sip:alice@127.0.0.1:5070>;expires=3600")
      expect(header(first!, "expires")).toBe("3600")
      expect(header(first!, "user-agent")).toBe("effect-sip-test")
      expect(header(first!, "via")).toMatch(/^SIP\/2\.0\/UDP 127\.0\.0\.1:5070;branch=z9hG4bK\w+;rport$/)
      expect(sent[0]!.destination).toEqual(registrar)
      expect(events[0]).toEqual({
        _tag: "Registered",
        expires: 3600,
        refreshInMs: 3568_000,
        contacts: ["sip:alice@127.0.0.1:5070"]
      })
      expect(yield* handle.registered).toBe(true)
    }))

  it.effect("§22.2: 401 → resent with CSeq + 1, same Call-ID and From, an Authorization the registrar verifies", () =>
    Effect.gen(function*() {
      const script: Script = (r) =>
        header(r, "authorization") === ""
          ? answer(challenge(r, "nonce-1", ", opaque=\"o-1\""))
          : answer(verifyAuthorization(r, "secret") ? ok(r) : makeResponse(r, 403))
      const { sent, events } = yield* start(script)
      const [first, second] = registers(sent)
      expect(header(second!, "cseq")).toBe("2 REGISTER")
      expect(header(second!, "call-id")).toBe(header(first!, "call-id"))
      expect(header(second!, "from")).toBe(header(first!, "from"))
      expect(header(second!, "via")).not.toBe(header(first!, "via"))
      expect(header(second!, "authorization")).toContain("opaque=\"o-1\"")
      expect(header(second!, "authorization")).toContain(`realm="${realm}"`)
      expect(verifyAuthorization(second!, "secret")).toBe(true)
      expect(tags(events)).toEqual(["Registered"])
    }))

  it.effect("a wrong password: 401, credentials, 401 again → RegistrationFailed AuthenticationFailed, no loop", () =>
    Effect.gen(function*() {
      let nonce = 0
      const script: Script = (r) =>
        answer(verifyAuthorization(r, "secret") ? ok(r) : challenge(r, `n${++nonce}`))
      const { sent, events } = yield* start(script, { credentials: { username: "alice", password: "wrong" } })
      expect(registers(sent)).toHaveLength(2)
      expect(events[0]).toMatchObject({ _tag: "RegistrationFailed", status: 401, reason: "AuthenticationFailed" })
    }))

  it.effect("the refresh fires before the granted expiry: max(expires/2, expires − 32 s), same Call-ID, CSeq + 1", () =>
    Effect.gen(function*() {
      // The registrar shortens 3600 to 100 (§10.3 step 7): refresh at 100 − 32 = 68 s.
      const { sent, events } = yield* start((r) => answer(ok(r, 100)))
      expect(events[0]).toMatchObject({ _tag: "Registered", expires: 100, refreshInMs: 68_000 })
      yield* TestClock.adjust("67999 millis")
      expect(registers(sent)).toHaveLength(1)
      yield* TestClock.adjust("1 millis")
      yield* settle
      const [first, refresh] = registers(sent)
      expect(refresh).toBeDefined()
      expect(sent[1]!.at).toBe(68_000)
      expect(header(refresh!, "call-id")).toBe(header(first!, "call-id"))
      expect(header(refresh!, "cseq")).toBe("2 REGISTER")
      // We keep asking for what we want; the registrar decides again.
      expect(header(refresh!, "expires")).toBe("3600")
      expect(tags(events)).toEqual(["Registered", "Registered"])
    }))

  it.effect("a short grant refreshes at half-life; the Expires header counts when the Contact has none", () =>
    Effect.gen(function*() {
      const { sent } = yield* start((r) => answer(makeResponse(r, 200, "OK", { headers: [["Expires", "40"]] })))
      yield* TestClock.adjust("19 seconds")
      expect(registers(sent)).toHaveLength(1)
      yield* TestClock.adjust("1 seconds")
      yield* settle
      expect(registers(sent)).toHaveLength(2)
    }))

  it.effect("a refresh reuses the last challenge (nc = 2) so the registrar need not challenge again", () =>
    Effect.gen(function*() {
      const script: Script = (r) =>
        header(r, "authorization") === "" ? answer(challenge(r, "n1")) : answer(ok(r, 60))
      const { sent } = yield* start(script)
      yield* TestClock.adjust("30 seconds")
      yield* settle
      const all = registers(sent)
      expect(all).toHaveLength(3)
      expect(header(all[2]!, "cseq")).toBe("3 REGISTER")
      expect(header(all[2]!, "authorization")).toMatch(/nonce="n1".*nc=00000002/)
      expect(verifyAuthorization(all[2]!, "secret")).toBe(true)
    }))

  it.effect("refresh re-registers at once instead of waiting for the refresh time", () =>
    Effect.gen(function*() {
      const { sent, handle, events } = yield* start((r) => answer(ok(r)))
      yield* TestClock.adjust("10 seconds")
      yield* handle.refresh
      yield* settle
      expect(registers(sent).map((r) => header(r, "cseq"))).toEqual(["1 REGISTER", "2 REGISTER"])
      expect(sent[1]!.at).toBe(10_000)
      expect(tags(events)).toEqual(["Registered", "Registered"])
    }))

  it.effect("§10.2.8: 423 → resent with Min-Expires, kept for the refreshes", () =>
    Effect.gen(function*() {
      const script: Script = (r) =>
        Number(header(r, "expires")) < 7200
          ? answer(makeResponse(r, 423, "Interval Too Brief", { headers: [["Min-Expires", "7200"]] }))
          : answer(ok(r))
      const { sent, events } = yield* start(script, { expires: 600 })
      const [first, second] = registers(sent)
      expect(header(first!, "expires")).toBe("600")
      expect(header(second!, "expires")).toBe("7200")
      expect(header(second!, "contact")).toMatch(/;expires=7200$/)
      expect(header(second!, "cseq")).toBe("2 REGISTER")
      expect(events[0]).toMatchObject({ _tag: "Registered", expires: 7200, refreshInMs: 7168_000 })
      yield* TestClock.adjust("7168 seconds")
      yield* settle
      expect(header(registers(sent)[2]!, "expires")).toBe("7200")
    }))

  it.effect("403 → RegistrationFailed with status and reason, retried after the RFC 5626 backoff", () =>
    Effect.gen(function*() {
      let calls = 0
      const { sent, events, handle } = yield* start((r) => answer(++calls === 1 ? makeResponse(r, 403) : ok(r)))
      const failed = events[0] as Extract<RegistrationEvent, { _tag: "RegistrationFailed" }>
      expect(failed).toMatchObject({ _tag: "RegistrationFailed", status: 403, reason: "Forbidden" })
      // base 30 s, no failure before: between 15 and 30 s.
      expect(failed.retryInMs).toBeGreaterThanOrEqual(15_000)
      expect(failed.retryInMs).toBeLessThanOrEqual(30_000)
      expect(yield* handle.registered).toBe(false)
      yield* TestClock.adjust(failed.retryInMs - 1)
      expect(registers(sent)).toHaveLength(1)
      yield* TestClock.adjust(1)
      yield* settle
      expect(registers(sent)).toHaveLength(2)
      expect(tags(events)).toEqual(["RegistrationFailed", "Registered"])
    }))

  it.effect("timeouts and network errors are events, and the backoff doubles per consecutive failure", () =>
    Effect.gen(function*() {
      let calls = 0
      const script: Script = () =>
        ++calls === 1 ? timeout : Effect.fail(new NetworkError({ reason: "SendFailed", address: "127.0.0.2:5060" }))
      const { events } = yield* start(script, { retryBaseSeconds: 10, retryMaxSeconds: 25 })
      yield* TestClock.adjust("32 seconds")
      yield* settle
      const first = events[0] as Extract<RegistrationEvent, { _tag: "RegistrationFailed" }>
      expect(first).toMatchObject({ _tag: "RegistrationFailed", reason: "TransactionTimeout" })
      expect(first.status).toBeUndefined()
      yield* TestClock.adjust(first.retryInMs)
      yield* settle
      const second = events[1] as Extract<RegistrationEvent, { _tag: "RegistrationFailed" }>
      expect(second).toMatchObject({ _tag: "RegistrationFailed", reason: "SendFailed" })
      // 10 s · 2¹ = 20 s ceiling: between 10 and 20 s; then capped at 25 s.
      expect(second.retryInMs).toBeGreaterThanOrEqual(10_000)
      expect(second.retryInMs).toBeLessThanOrEqual(20_000)
      yield* TestClock.adjust(second.retryInMs)
      yield* settle
      const third = events[2] as Extract<RegistrationEvent, { _tag: "RegistrationFailed" }>
      expect(third.retryInMs).toBeLessThanOrEqual(25_000)
      expect(third.retryInMs).toBeGreaterThanOrEqual(12_500)
    }))

  it.effect("§10.2.2: closing the scope unregisters (Contact;expires=0, Expires: 0, CSeq + 1), then the events end", () =>
    Effect.gen(function*() {
      const { sent, events, scope } = yield* start((r) => answer(ok(r)))
      yield* Scope.close(scope, Exit.void)
      yield* settle
      const all = registers(sent)
      expect(all).toHaveLength(2)
      const last = all[1]!
      expect(header(last, "expires")).toBe("0")
      expect(header(last, "contact")).toBe("<sip:alice@127.0.0.1:5070>;expires=0")
      expect(header(last, "cseq")).toBe("2 REGISTER")
      expect(header(last, "call-id")).toBe(header(all[0]!, "call-id"))
      expect(events.at(-1)).toEqual({ _tag: "Unregistered", removed: true, status: 200 })
    }))

  it.effect("the unregister is bounded: a silent registrar delays shutdown by the timeout, no more", () =>
    Effect.gen(function*() {
      let calls = 0
      const { sent, events, scope } = yield* start((r) => ++calls === 1 ? answer(ok(r)) : Effect.never, {
        unregisterTimeout: "2 seconds"
      })
      const closing = yield* Effect.forkChild(Scope.close(scope, Exit.void))
      yield* settle
      expect(registers(sent)).toHaveLength(2)
      expect(closing.pollUnsafe()).toBeUndefined()
      yield* TestClock.adjust("2 seconds")
      yield* Fiber.join(closing)
      expect(events.at(-1)).toEqual({ _tag: "Unregistered", removed: false, reason: "Timeout" })
    }))

  it.effect("nothing to unregister when no binding was ever granted", () =>
    Effect.gen(function*() {
      const { sent, scope } = yield* start((r) => answer(makeResponse(r, 404)))
      yield* Scope.close(scope, Exit.void)
      expect(registers(sent)).toHaveLength(1)
    }))
})

describe("OPTIONS keep-alive (§11.1)", () => {
  it.effect("sends OPTIONS every interval; reports failures; on recovery re-registers", () =>
    Effect.gen(function*() {
      let failing = false
      const script: Script = (r) =>
        r.method === "OPTIONS"
          ? failing ? answer(makeResponse(r, 503)) : answer(makeResponse(r, 200))
          : answer(ok(r))
      const { sent, events } = yield* start(script, { keepAliveInterval: "30 seconds" })
      const options = () => sent.filter((s) => s.request.method === "OPTIONS")
      yield* TestClock.adjust("29 seconds")
      expect(options()).toHaveLength(0)
      yield* TestClock.adjust("1 seconds")
      yield* settle
      expect(options().map((s) => s.at)).toEqual([30_000])
      const probe = options()[0]!.request
      expect(probe.uri).toBe("sip:example.com")
      expect(header(probe, "to")).toBe("<sip:example.com>")
      expect(header(probe, "cseq")).toBe("1 OPTIONS")
      failing = true
      yield* TestClock.adjust("30 seconds")
      yield* settle
      expect(events.at(-1)).toEqual({ _tag: "KeepAliveFailed", status: 503, reason: "Service Unavailable" })
      failing = false
      yield* TestClock.adjust("30 seconds")
      yield* settle
      expect(options().map((s) => s.at)).toEqual([30_000, 60_000, 90_000])
      expect(header(options()[2]!.request, "call-id")).toBe(header(probe, "call-id"))
      expect(header(options()[2]!.request, "cseq")).toBe("3 OPTIONS")
      expect(tags(events)).toEqual(["Registered", "KeepAliveFailed", "KeepAliveRestored", "Registered"])
      expect(registers(sent).at(-1) && sent.find((s) => s.request === registers(sent).at(-1))!.at).toBe(90_000)
    }))

  it.effect("an unanswered OPTIONS (Timer F) is a failure; a 405 is not", () =>
    Effect.gen(function*() {
      let probes = 0
      const script: Script = (r) =>
        r.method === "OPTIONS" ? ++probes === 1 ? timeout : answer(makeResponse(r, 405)) : answer(ok(r))
      const { events } = yield* start(script, { keepAliveInterval: "10 seconds" })
      yield* TestClock.adjust("42 seconds")
      yield* settle
      expect(events[1]).toEqual({ _tag: "KeepAliveFailed", reason: "TransactionTimeout" })
      yield* TestClock.adjust("10 seconds")
      yield* settle
      expect(tags(events).slice(0, 3)).toEqual(["Registered", "KeepAliveFailed", "KeepAliveRestored"])
    }))
})
