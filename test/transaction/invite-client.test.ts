import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit } from "effect"
import { TestClock } from "effect/testing"
import { makeResponse } from "../../src/sip/index.ts"
import type { SipRequest } from "../../src/sip/message.ts"
import { FakeNetwork, makeFakeNetwork } from "../../src/transport/fake.ts"
import { exitFailureReason, header, isReq, party, rawPeer, request, settle, summary, watch } from "./support.ts"

const setup = (transports: ReadonlyArray<"udp" | "tcp"> = ["udp"]) =>
  Effect.gen(function*() {
    const network = yield* makeFakeNetwork({ seed: 7 })
    const alice = yield* party(network, "10.0.0.1", 5060, { transports })
    const bob = yield* rawPeer(network, "10.0.0.2", 5060, transports)
    const dest = transports[0] === "tcp" ? bob.local[0] : bob.udp
    const from = transports[0] === "tcp" ? alice.local[0] : alice.udp
    return { network, alice, bob, dest, from }
  })

/** Bob's view of the INVITE the client transaction sent (with the Via the layer wrote). */
const firstInvite = (items: ReadonlyArray<{ readonly message: unknown }>): SipRequest => items[0].message as SipRequest

describe("INVITE client transaction (RFC 3261 §17.1.1, RFC 6026)", () => {
  it.effect("§17.1.1.2: Timer A retransmits at T1, 2T1, 4T1 … while Calling; Timer B ends it at 64*T1 with TransactionTimeout", () =>
    Effect.gen(function*() {
      const { alice, bob, dest, from } = yield* setup()
      const tx = yield* alice.layer.sendRequest(request("INVITE", from, dest), dest)
      const w = yield* watch(tx)
      yield* settle
      expect(summary(yield* bob.inbox.takeAll)).toEqual(["INVITE"])
      // Sends at 0, 500, 1500, 3500, 7500, 15500, 31500 ms.
      const at = [500, 1500, 3500, 7500, 15500, 31500]
      let now = 0
      for (const t of at) {
        yield* TestClock.adjust(t - now - 1)
        yield* settle
        expect((yield* bob.inbox.takeAll).length, `nothing before ${t}`).toBe(0)
        yield* TestClock.adjust(1)
        yield* settle
        expect(summary(yield* bob.inbox.takeAll), `retransmission at ${t}`).toEqual(["INVITE"])
        now = t
      }
      expect(w.ended()).toBeUndefined()
      yield* TestClock.adjust(32_000 - now - 1)
      yield* settle
      expect(w.ended()).toBeUndefined()
      yield* TestClock.adjust(1)
      yield* settle
      expect(exitFailureReason(w.ended())).toBe("TransactionTimeout")
      expect(yield* alice.layer.counts).toEqual({ client: 0, server: 0 })
      yield* TestClock.adjust(100_000)
      yield* settle
      expect((yield* bob.inbox.takeAll).length).toBe(0)
    }))

  it.effect("§17.1.1.2: a provisional stops Timer A and Timer B (Proceeding never times out on B)", () =>
    Effect.gen(function*() {
      const { alice, bob, dest, from } = yield* setup()
      const tx = yield* alice.layer.sendRequest(request("INVITE", from, dest), dest)
      const w = yield* watch(tx)
      yield* settle
      const invite = firstInvite(yield* bob.inbox.takeAll)
      yield* bob.send(makeResponse(invite, 180, "Ringing", { toTag: "b" }), from)
      yield* settle
      expect(w.statuses()).toEqual([180])
      yield* TestClock.adjust(40_000)
      yield* settle
      expect((yield* bob.inbox.takeAll).length).toBe(0)
      expect(w.ended()).toBeUndefined()
      yield* bob.send(makeResponse(invite, 200, "OK", { toTag: "b" }), from)
      yield* settle
      expect(w.statuses()).toEqual([180, 200])
    }))

  it.effect("§17.1.1.3: a non-2xx final is ACKed by the transaction (same R-URI, Call-ID, From, the response's To, CSeq ACK, top Via only, Route); retransmissions are re-ACKed and absorbed; Timer D ends it", () =>
    Effect.gen(function*() {
      const { alice, bob, dest, from } = yield* setup()
      const sent = request("INVITE", from, dest, { route: ["<sip:proxy1@10.0.0.9;lr>", "<sip:proxy2@10.0.0.9;lr>"], cseq: 42 })
      const tx = yield* alice.layer.sendRequest(sent, dest)
      const w = yield* watch(tx)
      yield* settle
      const invite = firstInvite(yield* bob.inbox.takeAll)
      const busy = makeResponse(invite, 486, "Busy Here", { toTag: "bob-tag" })
      yield* bob.send(busy, from)
      yield* settle
      const [ackIn] = yield* bob.inbox.takeAll
      const ack = ackIn.message as SipRequest
      expect(isReq(ack, "ACK")).toBe(true)
      expect(ack.uri).toBe(invite.uri)
      expect(header(ack, "call-id")).toBe(header(invite, "call-id"))
      expect(header(ack, "from")).toBe(header(invite, "from"))
      expect(header(ack, "to")).toBe(`<sip:bob@10.0.0.2>;tag=bob-tag`)
      expect(header(ack, "cseq")).toBe("42 ACK")
      expect(ack.headers.filter((h) => h.key === "via").length).toBe(1)
      expect(header(ack, "via")?.split(";branch=")[1]?.split(";")[0]).toBe(header(invite, "via")?.split(";branch=")[1]?.split(";")[0])
      expect(ack.headers.filter((h) => h.key === "route").map((h) => h.value)).toEqual([
        "<sip:proxy1@10.0.0.9;lr>",
        "<sip:proxy2@10.0.0.9;lr>"
      ])
      expect(w.statuses()).toEqual([486])
      // A retransmitted 486: ACKed again, not reported again.
      yield* bob.send(busy, from)
      yield* settle
      expect(summary(yield* bob.inbox.takeAll)).toEqual(["ACK"])
      expect(w.statuses()).toEqual([486])
      expect(w.ended()).toBeUndefined()
      // Timer D: 32 s on UDP.
      yield* TestClock.adjust(31_999)
      yield* settle
      expect(yield* alice.layer.counts).toEqual({ client: 1, server: 0 })
      yield* TestClock.adjust(1)
      yield* settle
      expect(w.ended()).toEqual(Exit.void)
      expect(yield* alice.layer.counts).toEqual({ client: 0, server: 0 })
    }))

  it.effect("RFC 6026 §7.2: a 2xx moves to Accepted; 2xx retransmissions go up (the TU re-ACKs); Timer M ends it at 64*T1", () =>
    Effect.gen(function*() {
      const { alice, bob, dest, from } = yield* setup()
      const tx = yield* alice.layer.sendRequest(request("INVITE", from, dest), dest)
      const w = yield* watch(tx)
      yield* settle
      const invite = firstInvite(yield* bob.inbox.takeAll)
      const ok = makeResponse(invite, 200, "OK", { toTag: "b" })
      yield* bob.send(ok, from)
      yield* settle
      yield* TestClock.adjust(500)
      yield* bob.send(ok, from)
      yield* settle
      expect(w.statuses()).toEqual([200, 200])
      // The transaction does not ACK a 2xx (§13.2.2.4: the TU does) and does not retransmit.
      expect((yield* bob.inbox.takeAll).length).toBe(0)
      yield* TestClock.adjust(31_499)
      yield* settle
      expect(w.ended()).toBeUndefined()
      yield* TestClock.adjust(1)
      yield* settle
      expect(w.ended()).toEqual(Exit.void)
      expect(yield* alice.layer.counts).toEqual({ client: 0, server: 0 })
      expect(alice.events.seen.length).toBe(0)
      // After Timer M, a late 2xx is stray: the dialog layer sees it.
      yield* bob.send(ok, from)
      yield* settle
      expect(alice.events.seen.map((e) => e._tag)).toEqual(["StrayResponse"])
    }))

  it.effect("§17.1.1.2 on TCP: no Timer A; Timer D is 0 so a non-2xx ends the transaction at once", () =>
    Effect.gen(function*() {
      const { alice, bob, dest, from } = yield* setup(["tcp"])
      const tx = yield* alice.layer.sendRequest(request("INVITE", from, dest), dest)
      const w = yield* watch(tx)
      yield* settle
      const invite = firstInvite(yield* bob.inbox.takeAll)
      expect(header(invite, "via")).toMatch(/^SIP\/2\.0\/TCP 10\.0\.0\.1:5060;branch=z9hG4bK/)
      yield* TestClock.adjust(10_000)
      yield* settle
      expect((yield* bob.inbox.takeAll).length).toBe(0)
      yield* bob.send(makeResponse(invite, 603, "Decline", { toTag: "b" }), from)
      yield* settle
      expect(summary(yield* bob.inbox.takeAll)).toEqual(["ACK"])
      expect(w.statuses()).toEqual([603])
      expect(w.ended()).toEqual(Exit.void)
      expect(yield* alice.layer.counts).toEqual({ client: 0, server: 0 })
    }))

  it.effect("§17.1.1.2 on TCP: Timer B still fires at 64*T1", () =>
    Effect.gen(function*() {
      const { alice, dest, from } = yield* setup(["tcp"])
      const w = yield* watch(yield* alice.layer.sendRequest(request("INVITE", from, dest), dest))
      yield* TestClock.adjust(31_999)
      yield* settle
      expect(w.ended()).toBeUndefined()
      yield* TestClock.adjust(1)
      yield* settle
      expect(exitFailureReason(w.ended())).toBe("TransactionTimeout")
    }))

  it.effect("§17.1.4: a transport error fails the transaction with NetworkError (TCP: nobody listening)", () =>
    Effect.gen(function*() {
      const { alice, from } = yield* setup(["tcp"])
      const nowhere = { transport: "tcp" as const, host: "10.0.0.99", port: 5060 }
      const exit = yield* Effect.exit(alice.layer.sendRequest(request("INVITE", from, nowhere), nowhere))
      expect(Exit.isFailure(exit)).toBe(true)
      expect(yield* alice.layer.counts).toEqual({ client: 0, server: 0 })
    }))

  it.effect("RFC 6026: a provisional overtaken by the 2xx (reordering) is ignored in Accepted", () =>
    Effect.gen(function*() {
      const { alice, bob, dest, from } = yield* setup()
      const w = yield* watch(yield* alice.layer.sendRequest(request("INVITE", from, dest), dest))
      yield* settle
      const invite = firstInvite(yield* bob.inbox.takeAll)
      yield* bob.send(makeResponse(invite, 200, "OK", { toTag: "b" }), from)
      yield* bob.send(makeResponse(invite, 180, "Ringing", { toTag: "b" }), from)
      yield* settle
      expect(w.statuses()).toEqual([200])
    }))

  it.effect("FakeNetwork.layer/transport compose as Layers", () =>
    Effect.gen(function*() {
      const network = yield* FakeNetwork
      const t = yield* network.endpoint({ host: "10.1.1.1", port: 1 })
      expect(t.local).toEqual([{ transport: "udp", host: "10.1.1.1", port: 1 }])
    }).pipe(Effect.provide(FakeNetwork.layer())))
})
