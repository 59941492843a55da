import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit } from "effect"
import { TestClock } from "effect/testing"
import { makeResponse } from "../../src/sip/index.ts"
import type { SipRequest } from "../../src/sip/message.ts"
import { makeFakeNetwork } from "../../src/transport/fake.ts"
import { exitFailureReason, party, rawPeer, request, settle, summary, watch } from "./support.ts"

const setup = (transports: ReadonlyArray<"udp" | "tcp"> = ["udp"], timers?: { t1?: number; t2?: number; t4?: number }) =>
  Effect.gen(function*() {
    const network = yield* makeFakeNetwork({ seed: 3 })
    const alice = yield* party(network, "10.0.0.1", 5060, { transports, ...(timers ? { timers } : {}) })
    const bob = yield* rawPeer(network, "10.0.0.2", 5060, transports)
    return { alice, bob, dest: bob.local[0], from: alice.local[0] }
  })

/** Advances to each absolute time in `at` and checks one retransmission lands exactly then. */
const expectSendsAt = (
  bob: { readonly inbox: { readonly takeAll: Effect.Effect<Array<{ readonly message: unknown }>> } },
  at: ReadonlyArray<number>,
  start = 0
) =>
  Effect.gen(function*() {
    let now = start
    for (const t of at) {
      yield* TestClock.adjust(t - now - 1)
      yield* settle
      expect((yield* bob.inbox.takeAll).length, `nothing before ${t}`).toBe(0)
      yield* TestClock.adjust(1)
      yield* settle
      expect((yield* bob.inbox.takeAll).length, `one retransmission at ${t}`).toBe(1)
      now = t
    }
    return now
  })

describe("non-INVITE client transaction (RFC 3261 §17.1.2)", () => {
  it.effect("§17.1.2.2: Timer E doubles from T1 and caps at T2; Timer F fails it at 64*T1 with TransactionTimeout", () =>
    Effect.gen(function*() {
      const { alice, bob, dest, from } = yield* setup()
      const w = yield* watch(yield* alice.layer.sendRequest(request("OPTIONS", from, dest), dest))
      yield* settle
      expect(summary(yield* bob.inbox.takeAll)).toEqual(["OPTIONS"])
      // Intervals 500, 1000, 2000, 4000, 4000, …: sends at 500, 1500, 3500, 7500, 11500, … 31500.
      const at = [500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500]
      const now = yield* expectSendsAt(bob, at)
      yield* TestClock.adjust(32_000 - now - 1)
      yield* settle
      expect(w.ended()).toBeUndefined()
      yield* TestClock.adjust(1)
      yield* settle
      expect(exitFailureReason(w.ended())).toBe("TransactionTimeout")
      expect(yield* alice.layer.counts).toEqual({ client: 0, server: 0 })
    }))

  it.effect("§17.1.2.2: in Proceeding Timer E fires every T2; the final moves to Completed and Timer K (T4) ends it; retransmitted finals are absorbed", () =>
    Effect.gen(function*() {
      const { alice, bob, dest, from } = yield* setup()
      const w = yield* watch(yield* alice.layer.sendRequest(request("BYE", from, dest), dest))
      yield* settle
      const bye = (yield* bob.inbox.takeAll)[0].message as SipRequest
      yield* bob.send(makeResponse(bye, 100, "Trying"), from)
      yield* settle
      expect(w.statuses()).toEqual([100])
      // The Timer E armed for 500 ms still fires, then every T2 = 4 s.
      const now = yield* expectSendsAt(bob, [500, 4500, 8500])
      const ok = makeResponse(bye, 200, "OK", { toTag: "b" })
      yield* bob.send(ok, from)
      yield* settle
      expect(w.statuses()).toEqual([100, 200])
      yield* bob.send(ok, from)
      yield* settle
      expect(w.statuses()).toEqual([100, 200])
      // No retransmission in Completed; Timer K = T4 = 5 s.
      yield* TestClock.adjust(4999)
      yield* settle
      expect((yield* bob.inbox.takeAll).length).toBe(0)
      expect(w.ended()).toBeUndefined()
      yield* TestClock.adjust(1)
      yield* settle
      expect(w.ended()).toEqual(Exit.void)
      expect(now).toBe(8500)
      expect(yield* alice.layer.counts).toEqual({ client: 0, server: 0 })
    }))

  it.effect("T1/T2/T4 are configurable: T1=100 ms, T2=400 ms → E at 100, 300, 700, 1100; F at 6.4 s", () =>
    Effect.gen(function*() {
      const { alice, bob, dest, from } = yield* setup(["udp"], { t1: 100, t2: 400, t4: 1000 })
      const w = yield* watch(yield* alice.layer.sendRequest(request("OPTIONS", from, dest), dest))
      yield* settle
      yield* bob.inbox.takeAll
      yield* expectSendsAt(bob, [100, 300, 700, 1100, 1500])
      yield* TestClock.adjust(6400 - 1500)
      yield* settle
      expect(exitFailureReason(w.ended())).toBe("TransactionTimeout")
    }))

  it.effect("§17.1.2.2 on TCP: no Timer E, Timer K is 0: the transaction ends with its final response", () =>
    Effect.gen(function*() {
      const { alice, bob, dest, from } = yield* setup(["tcp"])
      const w = yield* watch(yield* alice.layer.sendRequest(request("OPTIONS", from, dest), dest))
      yield* settle
      const options = (yield* bob.inbox.takeAll)[0].message as SipRequest
      yield* TestClock.adjust(20_000)
      yield* settle
      expect((yield* bob.inbox.takeAll).length).toBe(0)
      yield* bob.send(makeResponse(options, 200, "OK", { toTag: "b" }), from)
      yield* settle
      expect(w.statuses()).toEqual([200])
      expect(w.ended()).toEqual(Exit.void)
      expect(yield* alice.layer.counts).toEqual({ client: 0, server: 0 })
    }))

  it.effect("§8.1.1.7: a request without a Via gets one for the local endpoint with a fresh branch and rport", () =>
    Effect.gen(function*() {
      const { alice, bob, dest, from } = yield* setup()
      const bare = request("OPTIONS", from, dest, { branch: null })
      const tx = yield* alice.layer.sendRequest(bare, dest)
      yield* settle
      const got = (yield* bob.inbox.takeAll)[0].message as SipRequest
      const via = got.headers.find((h) => h.key === "via")?.value
      expect(via).toMatch(/^SIP\/2\.0\/UDP 10\.0\.0\.1:5060;branch=z9hG4bK[0-9a-f]+;rport/)
      expect(tx.id).toContain("|OPTIONS")
      expect(tx.request.headers[0].key).toBe("via")
    }))
})
