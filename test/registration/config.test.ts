import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Layer } from "effect"
import { ApplicationError } from "../../src/errors.ts"
import { backoffMs, refreshDelayMs, register, Registration, resolveConfig } from "../../src/registration/index.ts"
import { makeResponse } from "../../src/sip/index.ts"
import { answer, collectEvents, fakeTransactions, local, ok, registrar } from "./support.ts"

describe("registration config (§10.2)", () => {
  it("Request-URI is the AOR's domain; Contact from the local endpoint of the registrar's transport", () => {
    const tcp = { transport: "tcp" as const, host: "127.0.0.1", port: 5080 }
    const resolved = resolveConfig(
      { registrar: { ...registrar, transport: "tcp" }, aor: "sip:alice@example.com:5070" },
      [local, tcp]
    )
    expect(resolved).toMatchObject({
      registrarUri: "sip:example.com:5070",
      contactUri: "sip:alice@127.0.0.1:5080;transport=tcp",
      expires: 3600,
      retryBaseSeconds: 30,
      retryMaxSeconds: 1800
    })
  })

  it("explicit contact host, port and user win; bad AOR or expires are InvalidArgument", () => {
    expect(resolveConfig({ registrar, aor: "sip:alice@example.com", contactHost: "192.0.2.7", contactPort: 6000, contactUser: "a1" }, [local]))
      .toMatchObject({ contactUri: "sip:a1@192.0.2.7:6000" })
    expect(resolveConfig({ registrar, aor: "not a uri" }, [local])).toBeInstanceOf(ApplicationError)
    expect(resolveConfig({ registrar, aor: "sip:alice@example.com", expires: 0 }, [local])).toMatchObject({ reason: "InvalidArgument" })
    expect(resolveConfig({ registrar, aor: "sip:alice@example.com" }, [])).toMatchObject({ reason: "InvalidArgument" })
  })

  it("refresh rule: max(expires/2, expires − 32 s), never under 1 s", () => {
    expect(refreshDelayMs(3600)).toBe(3568_000)
    expect(refreshDelayMs(64)).toBe(32_000)
    expect(refreshDelayMs(40)).toBe(20_000)
    expect(refreshDelayMs(1)).toBe(1000)
  })

  it("RFC 5626 §4.5 backoff: min(max, base·2^n), scaled into [50 %, 100 %]", () => {
    expect(backoffMs(0, 30, 1800, 0)).toBe(15_000)
    expect(backoffMs(0, 30, 1800, 0.999999)).toBe(30_000)
    expect(backoffMs(3, 30, 1800, 0)).toBe(120_000)
    expect(backoffMs(10, 30, 1800, 0.5)).toBe(1_350_000)
    expect(backoffMs(100, 30, 1800, 0)).toBe(900_000)
  })

  it.effect("register fails with ApplicationError on a config it cannot use", () =>
    Effect.gen(function*() {
      const fake = fakeTransactions((r) => answer(makeResponse(r, 200)))
      const exit = yield* Effect.exit(register({ registrar, aor: "bogus" }).pipe(Effect.provide(fake.layer)))
      expect(Exit.isFailure(exit)).toBe(true)
      expect(fake.sent).toHaveLength(0)
    }))

  it.effect("a 401 without configured credentials is a RegistrationFailed NoCredentials", () =>
    Effect.gen(function*() {
      const fake = fakeTransactions((r) =>
        answer(makeResponse(r, 401, undefined, { headers: [["WWW-Authenticate", "Digest realm=\"r\", nonce=\"n\""]] }))
      )
      const handle = yield* register({ registrar, aor: "sip:alice@example.com" }).pipe(Effect.provide(fake.layer))
      const events = yield* collectEvents(handle.events)
      expect(events[0]).toMatchObject({ _tag: "RegistrationFailed", status: 401, reason: "NoCredentials" })
      expect(fake.sent).toHaveLength(1)
    }))
})

describe("Registration service", () => {
  it.effect("Registration.layer registers while the layer lives and unregisters when it is released", () =>
    Effect.gen(function*() {
      const fake = fakeTransactions((r) => answer(ok(r)))
      const registration = Registration.layer({ registrar, aor: "sip:alice@example.com" }).pipe(Layer.provide(fake.layer))
      const seen = yield* Effect.scoped(
        Effect.gen(function*() {
          const handle = yield* Registration
          const events = yield* collectEvents(handle.events)
          expect(yield* handle.registered).toBe(true)
          return events
        }).pipe(Effect.provide(registration))
      )
      expect(seen.map((e) => e._tag)).toEqual(["Registered", "Unregistered"])
      expect(fake.sent.map((s) => s.request.headers.find((h) => h.key === "expires")?.value)).toEqual(["3600", "0"])
    }))
})
