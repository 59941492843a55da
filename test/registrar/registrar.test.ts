/**
 * The registrar (RFC 3261 §10.3, RFC 3327, RFC 5626 §6) behind the dialog layer, on the in-memory location
 * service, under TestClock.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Fiber, Stream } from "effect"
import { TestClock } from "effect/testing"
import { getHeader, getHeaders, makeRequest } from "../../src/sip/index.ts"
import { serverTransaction, setup } from "../dialog/support.ts"
import { contactsOf, register, registrarSetup } from "./support.ts"

describe("the dialog layer's usage hook", () => {
  it.effect("§8.2.1: without a registrar REGISTER is 405 and not in Allow", () =>
    Effect.gen(function*() {
      const { tl } = yield* setup
      const t = serverTransaction(register({ contacts: ["<sip:bob@10.0.0.9>"], cseq: 1 }))
      yield* tl.inject({ _tag: "RequestReceived", transaction: t })
      const [answer] = tl.responses(t.id)
      assert.strictEqual(answer!.status, 405)
      assert.notInclude(getHeader(answer!, "allow")!, "REGISTER")
    }))

  it.effect("with a registrar REGISTER is allowed, in Allow (OPTIONS and 405), and answered by it", () =>
    Effect.gen(function*() {
      const { send } = yield* registrarSetup()
      const ok = yield* send(register({ contacts: ["<sip:bob@10.0.0.9:5061>"], cseq: 1 }))
      assert.strictEqual(ok.status, 200)
      assert.isDefined(getHeader(ok, "to")!.match(/;tag=/))
      const options = makeRequest({ ...register({ cseq: 2 }), method: "OPTIONS", headers: register({ cseq: 2 }).headers.map((h) => [h.name, h.name === "CSeq" ? "2 OPTIONS" : h.value] as const) })
      assert.include(getHeader(yield* send(options), "allow")!, "REGISTER")
      const subscribe = makeRequest({ method: "SUBSCRIBE", uri: "sip:example.com", headers: options.headers.map((h) => [h.name, h.value] as const) })
      const refused = yield* send(subscribe)
      assert.strictEqual(refused.status, 405)
      assert.include(getHeader(refused, "allow")!, "REGISTER")
    }))
})

describe("REGISTER (§10.3)", () => {
  it.effect("add, query, refresh and remove one binding; the 200 lists it with its remaining expires and a Date", () =>
    Effect.gen(function*() {
      const { send, registrar } = yield* registrarSetup()
      const added = yield* send(register({ contacts: ["<sip:bob@10.0.0.9:5061>"], expires: 600, cseq: 1 }))
      assert.deepStrictEqual(contactsOf(added), ["<sip:bob@10.0.0.9:5061>;expires=600"])
      assert.strictEqual(getHeader(added, "date"), "Thu, 01 Jan 1970 00:00:00 GMT")
      yield* TestClock.adjust("100 seconds")
      const query = yield* send(register({ cseq: 2 }))
      assert.deepStrictEqual(contactsOf(query), ["<sip:bob@10.0.0.9:5061>;expires=500"])
      const refreshed = yield* send(register({ contacts: ["<sip:bob@10.0.0.9:5061>"], expires: 300, cseq: 3 }))
      assert.deepStrictEqual(contactsOf(refreshed), ["<sip:bob@10.0.0.9:5061>;expires=300"])
      assert.lengthOf(yield* registrar.lookup("sip:bob@EXAMPLE.com"), 1)
      const removed = yield* send(register({ contacts: ["<sip:bob@10.0.0.9:5061>;expires=0"], cseq: 4 }))
      assert.strictEqual(removed.status, 200)
      assert.deepStrictEqual(contactsOf(removed), [])
      assert.lengthOf(yield* registrar.lookup("sip:bob@example.com"), 0)
    }))

  it.effect("several Contacts per AOR with q and per-contact expires; highest q first", () =>
    Effect.gen(function*() {
      const { send, registrar } = yield* registrarSetup()
      const ok = yield* send(register({
        contacts: ["<sip:bob@10.0.0.9:5061>;q=0.3", "<sip:bob@10.0.0.10:5062>;q=0.9;expires=120"],
        expires: 900,
        cseq: 1
      }))
      assert.deepStrictEqual(contactsOf(ok), [
        "<sip:bob@10.0.0.10:5062>;expires=120;q=0.9",
        "<sip:bob@10.0.0.9:5061>;expires=900;q=0.3"
      ])
      yield* TestClock.adjust("121 seconds")
      assert.deepStrictEqual((yield* registrar.lookup("sip:bob@example.com")).map((b) => b.uri), ["sip:bob@10.0.0.9:5061"])
    }))

  it.effect("§10.3 step 7: under Min-Expires is 423 with Min-Expires; over the maximum is cut to it", () =>
    Effect.gen(function*() {
      const { send } = yield* registrarSetup({ minExpires: 60, maxExpires: 3600 })
      const brief = yield* send(register({ contacts: ["<sip:bob@10.0.0.9>"], expires: 30, cseq: 1 }))
      assert.strictEqual(brief.status, 423)
      assert.strictEqual(getHeader(brief, "min-expires"), "60")
      const long = yield* send(register({ contacts: ["<sip:bob@10.0.0.9>"], expires: 999999, cseq: 2 }))
      assert.deepStrictEqual(contactsOf(long), ["<sip:bob@10.0.0.9>;expires=3600"])
    }))

  it.effect("§10.2.2: * with Expires 0 removes every binding; * otherwise is 400", () =>
    Effect.gen(function*() {
      const { send, registrar } = yield* registrarSetup()
      yield* send(register({ contacts: ["<sip:bob@10.0.0.9>", "<sip:bob@10.0.0.10>"], cseq: 1 }))
      const badStar = yield* send(register({ contacts: ["*"], expires: 60, cseq: 2 }))
      assert.strictEqual(badStar.status, 400)
      const mixed = yield* send(register({ contacts: ["*", "<sip:bob@10.0.0.9>"], expires: 0, cseq: 3 }))
      assert.strictEqual(mixed.status, 400)
      const star = yield* send(register({ contacts: ["*"], expires: 0, cseq: 4 }))
      assert.strictEqual(star.status, 200)
      assert.deepStrictEqual(contactsOf(star), [])
      assert.lengthOf(yield* registrar.lookup("sip:bob@example.com"), 0)
    }))

  it.effect("§10.3 step 7: an older or equal CSeq in the same Call-ID is refused; another Call-ID may update", () =>
    Effect.gen(function*() {
      const { send } = yield* registrarSetup()
      yield* send(register({ contacts: ["<sip:bob@10.0.0.9>"], cseq: 5 }))
      const stale = yield* send(register({ contacts: ["<sip:bob@10.0.0.9>"], expires: 120, cseq: 5 }))
      assert.strictEqual(stale.status, 500)
      const other = yield* send(register({ contacts: ["<sip:bob@10.0.0.9>"], expires: 120, cseq: 1, callId: "other" }))
      assert.deepStrictEqual(contactsOf(other), ["<sip:bob@10.0.0.9>;expires=120"])
    }))

  it.effect("RFC 3327: Path is stored and returned to a UA that supports it", () =>
    Effect.gen(function*() {
      const { send, registrar } = yield* registrarSetup()
      const path = [["Path", "<sip:edge.example.com;lr>"], ["Supported", "path"]] as const
      const ok = yield* send(register({ contacts: ["<sip:bob@10.0.0.9>"], cseq: 1, extra: path }))
      assert.deepStrictEqual(getHeaders(ok, "path"), ["<sip:edge.example.com;lr>"])
      assert.deepStrictEqual((yield* registrar.lookup("sip:bob@example.com"))[0]!.path, ["<sip:edge.example.com;lr>"])
      const without = yield* send(register({ contacts: ["<sip:bob@10.0.0.9>"], cseq: 2, extra: [path[0]] }))
      assert.deepStrictEqual(getHeaders(without, "path"), [])
    }))

  it.effect("RFC 5626 §6: a device with the same +sip.instance and reg-id replaces its own binding", () =>
    Effect.gen(function*() {
      const { send } = yield* registrarSetup()
      const instance = `+sip.instance="<urn:uuid:00000000-0000-1000-8000-000A95A0E128>";reg-id=1`
      yield* send(register({ contacts: [`<sip:bob@10.0.0.9:5061>;${instance}`], cseq: 1 }))
      const moved = yield* send(register({ contacts: [`<sip:bob@192.0.2.4:6000>;${instance}`], cseq: 1, callId: "after-reboot" }))
      assert.deepStrictEqual(contactsOf(moved), [
        `<sip:bob@192.0.2.4:6000>;expires=3600;+sip.instance="<urn:uuid:00000000-0000-1000-8000-000A95A0E128>";reg-id=1`
      ])
    }))

  it.effect("bad input gets 400: a To that is no AOR, a malformed Contact, a bad q", () =>
    Effect.gen(function*() {
      const { send } = yield* registrarSetup()
      assert.strictEqual((yield* send(register({ contacts: ["<sip:x>"], cseq: 1, aor: "tel:+123" }))).status, 400)
      assert.strictEqual((yield* send(register({ contacts: ["<sip:bob@h"], cseq: 2 }))).status, 400)
      assert.strictEqual((yield* send(register({ contacts: ["<sip:bob@h>;q=7"], cseq: 3 }))).status, 400)
    }))
})

describe("binding events", () => {
  it.effect("Registered, Refreshed, Unregistered, and Expired on the Clock", () =>
    Effect.gen(function*() {
      const { send, registrar } = yield* registrarSetup({ sweepIntervalMs: 1000 })
      const seen = yield* registrar.events.pipe(Stream.take(5), Stream.runCollect, Effect.forkChild)
      yield* Effect.yieldNow
      yield* send(register({ contacts: ["<sip:bob@10.0.0.9>"], expires: 60, cseq: 1 }))
      yield* send(register({ contacts: ["<sip:bob@10.0.0.9>"], expires: 60, cseq: 2 }))
      yield* send(register({ contacts: ["<sip:bob@10.0.0.9>"], expires: 0, cseq: 3 }))
      yield* send(register({ contacts: ["<sip:bob@10.0.0.10>"], expires: 60, cseq: 4 }))
      yield* TestClock.adjust("59 seconds")
      assert.lengthOf(yield* registrar.lookup("sip:bob@example.com"), 1)
      yield* TestClock.adjust("1 second")
      const events = yield* Fiber.join(seen)
      assert.deepStrictEqual(events.map((e) => `${e._tag} ${e.binding.uri}`), [
        "Registered sip:bob@10.0.0.9",
        "Refreshed sip:bob@10.0.0.9",
        "Unregistered sip:bob@10.0.0.9",
        "Registered sip:bob@10.0.0.10",
        "Expired sip:bob@10.0.0.10"
      ])
      assert.lengthOf(yield* registrar.lookup("sip:bob@example.com"), 0)
    }))
})
