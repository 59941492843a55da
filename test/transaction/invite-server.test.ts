import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { TestClock } from "effect/testing"
import { makeResponse, newBranch } from "../../src/sip/index.ts"
import type { SipRequest, SipResponse } from "../../src/sip/message.ts"
import type { ServerTransaction, TransactionEvent } from "../../src/transaction/transaction-layer.ts"
import { makeFakeNetwork } from "../../src/transport/fake.ts"
import { ackFor, header, party, rawPeer, request, settle, summary, tags } from "./support.ts"
import { LINGER_BATCH_MS } from "../../src/transaction/lingering.ts"

const setup = (transports: ReadonlyArray<"udp" | "tcp"> = ["udp"]) =>
  Effect.gen(function*() {
    const network = yield* makeFakeNetwork({ seed: 11 })
    const bob = yield* party(network, "10.0.0.2", 5060, { transports })
    const alice = yield* rawPeer(network, "10.0.0.1", 5070, transports)
    return { alice, bob, dest: bob.local[0], from: alice.local[0] }
  })

const received = (events: ReadonlyArray<TransactionEvent>): ServerTransaction => {
  const e = events.find((x) => x._tag === "RequestReceived")
  if (e === undefined || e._tag !== "RequestReceived") throw new Error("no RequestReceived")
  return e.transaction
}

describe("INVITE server transaction (RFC 3261 §17.2.1, RFC 6026)", () => {
  it.effect("§17.2.1: 100 Trying goes out after 200 ms when the TU has not answered; a retransmitted INVITE is one transaction, answered with the last provisional", () =>
    Effect.gen(function*() {
      const { alice, bob, dest, from } = yield* setup()
      const invite = request("INVITE", from, dest)
      yield* alice.send(invite, dest)
      yield* settle
      expect(tags(bob.events.seen)).toEqual(["RequestReceived"])
      yield* TestClock.adjust(199)
      yield* settle
      expect((yield* alice.inbox.takeAll).length).toBe(0)
      yield* TestClock.adjust(1)
      yield* settle
      const trying = (yield* alice.inbox.takeAll).map((i) => i.message as SipResponse)
      expect(trying.map((r) => r.status)).toEqual([100])
      expect(header(trying[0], "to")).toBe("<sip:bob@10.0.0.2>") // no tag on a 100 (§8.2.6.2)
      yield* alice.send(invite, dest)
      yield* settle
      expect(summary(yield* alice.inbox.takeAll)).toEqual([100])
      expect(tags(bob.events.seen)).toEqual(["RequestReceived"])
      expect(yield* bob.layer.counts).toEqual({ client: 0, server: 1 })
    }))

  it.effect("§17.2.1: a retransmitted INVITE before any response gets the 100 Trying at once, and the 200 ms timer sends no second one", () =>
    Effect.gen(function*() {
      const { alice, bob, dest, from } = yield* setup()
      const invite = request("INVITE", from, dest)
      yield* alice.send(invite, dest)
      yield* settle
      yield* TestClock.adjust(50)
      yield* settle
      expect((yield* alice.inbox.takeAll).length).toBe(0)
      yield* alice.send(invite, dest)
      yield* settle
      expect(summary(yield* alice.inbox.takeAll)).toEqual([100])
      yield* TestClock.adjust(1000)
      yield* settle
      expect((yield* alice.inbox.takeAll).length).toBe(0)
      expect(tags(bob.events.seen)).toEqual(["RequestReceived"])
    }))

  it.effect("§8.2.6.1: the automatic 100 Trying copies the INVITE's Timestamp", () =>
    Effect.gen(function*() {
      const { alice, dest, from } = yield* setup()
      const invite = request("INVITE", from, dest)
      yield* alice.send({ ...invite, headers: [...invite.headers, { name: "Timestamp", key: "timestamp", value: "54.2" }] }, dest)
      yield* TestClock.adjust(200)
      yield* settle
      const [trying] = (yield* alice.inbox.takeAll).map((i) => i.message as SipResponse)
      expect(trying.status).toBe(100)
      expect(header(trying, "timestamp")).toBe("54.2")
    }))

  it.effect("§17.2.1: no automatic 100 when the TU answers within 200 ms; a retransmitted INVITE in Proceeding gets the TU's last provisional", () =>
    Effect.gen(function*() {
      const { alice, bob, dest, from } = yield* setup()
      const invite = request("INVITE", from, dest)
      yield* alice.send(invite, dest)
      yield* settle
      const tx = received(bob.events.seen)
      yield* TestClock.adjust(100)
      yield* bob.layer.respond(tx.id, makeResponse(tx.request, 180, "Ringing", { toTag: "t" }))
      yield* TestClock.adjust(1000)
      yield* settle
      expect(summary(yield* alice.inbox.takeAll)).toEqual([180])
      yield* alice.send(invite, dest)
      yield* settle
      expect(summary(yield* alice.inbox.takeAll)).toEqual([180])
    }))

  it.effect("§17.2.1: a non-2xx final is retransmitted on Timer G (T1, 2T1, … capped at T2) and Timer H (64*T1) fails the transaction without an ACK", () =>
    Effect.gen(function*() {
      const { alice, bob, dest, from } = yield* setup()
      yield* alice.send(request("INVITE", from, dest), dest)
      yield* settle
      const tx = received(bob.events.seen)
      yield* bob.layer.respond(tx.id, makeResponse(tx.request, 486, "Busy Here", { toTag: "t" }))
      yield* settle
      expect(summary(yield* alice.inbox.takeAll)).toEqual([486])
      let now = 0
      for (const t of [500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500]) {
        yield* TestClock.adjust(t - now - 1)
        yield* settle
        expect((yield* alice.inbox.takeAll).length, `nothing before ${t}`).toBe(0)
        yield* TestClock.adjust(1)
        yield* settle
        expect(summary(yield* alice.inbox.takeAll), `Timer G at ${t}`).toEqual([486])
        now = t
      }
      yield* TestClock.adjust(32_000 - now - 1)
      yield* settle
      expect(yield* bob.layer.counts).toEqual({ client: 0, server: 1 })
      yield* TestClock.adjust(1)
      yield* settle
      expect(yield* bob.layer.counts).toEqual({ client: 0, server: 0 })
      const failed = bob.events.seen.find((e) => e._tag === "ServerTransactionFailed")
      expect(failed?._tag === "ServerTransactionFailed" && failed.id).toBe(tx.id)
      expect(failed?._tag === "ServerTransactionFailed" && failed.error._tag === "ProtocolError" && failed.error.reason)
        .toBe("TransactionTimeout")
    }))

  it.effect("§17.2.1: the ACK for a non-2xx is absorbed (Confirmed): Timer G stops, Timer I (T4) ends the transaction; retransmitted ACKs are absorbed too", () =>
    Effect.gen(function*() {
      const { alice, bob, dest, from } = yield* setup()
      const invite = request("INVITE", from, dest)
      yield* alice.send(invite, dest)
      yield* settle
      const tx = received(bob.events.seen)
      yield* bob.layer.respond(tx.id, makeResponse(tx.request, 404, "Not Found", { toTag: "t" }))
      yield* settle
      const [final] = (yield* alice.inbox.takeAll).map((i) => i.message as SipResponse)
      yield* TestClock.adjust(500)
      yield* settle
      expect(summary(yield* alice.inbox.takeAll)).toEqual([404])
      yield* alice.send(ackFor(invite, final), dest)
      yield* settle
      yield* alice.send(ackFor(invite, final), dest)
      yield* settle
      // A retransmitted INVITE in Confirmed is absorbed.
      yield* alice.send(invite, dest)
      yield* TestClock.adjust(4999)
      yield* settle
      expect((yield* alice.inbox.takeAll).length).toBe(0)
      expect(yield* bob.layer.counts).toEqual({ client: 0, server: 1 })
      yield* TestClock.adjust(1)
      yield* settle
      expect(yield* bob.layer.counts).toEqual({ client: 0, server: 0 })
      expect(tags(bob.events.seen)).toEqual(["RequestReceived"])
    }))

  it.effect("RFC 6026 §8.7: after a 2xx (Accepted) retransmitted INVITEs are absorbed, TU 2xx retransmissions pass, the 2xx ACK (new branch) goes to the TU, Timer L ends it at 64*T1", () =>
    Effect.gen(function*() {
      const { alice, bob, dest, from } = yield* setup()
      const invite = request("INVITE", from, dest)
      yield* alice.send(invite, dest)
      yield* settle
      const tx = received(bob.events.seen)
      const ok = makeResponse(tx.request, 200, "OK", { toTag: "t" })
      yield* bob.layer.respond(tx.id, ok)
      yield* settle
      expect(summary(yield* alice.inbox.takeAll)).toEqual([200])
      yield* alice.send(invite, dest)
      yield* TestClock.adjust(500)
      yield* settle
      expect((yield* alice.inbox.takeAll).length).toBe(0) // no Timer G for 2xx: the TU retransmits
      yield* bob.layer.respond(tx.id, ok)
      yield* settle
      expect(summary(yield* alice.inbox.takeAll)).toEqual([200])
      const ack2xx = ackFor(invite, ok)
      const withNewBranch: SipRequest = {
        ...ack2xx,
        headers: ack2xx.headers.map((h) => h.key === "via" ? { ...h, value: `SIP/2.0/UDP 10.0.0.1:5070;branch=${newBranch()}` } : h)
      }
      yield* alice.send(withNewBranch, dest)
      yield* settle
      expect(tags(bob.events.seen)).toEqual(["RequestReceived", "AckReceived"])
      yield* TestClock.adjust(31_499)
      yield* settle
      expect(yield* bob.layer.counts).toEqual({ client: 0, server: 1 })
      yield* TestClock.adjust(1 + LINGER_BATCH_MS) // at least 64*T1, at most a batch more
      yield* settle
      expect(yield* bob.layer.counts).toEqual({ client: 0, server: 0 })
    }))

  it.effect("§17.2.1 on TCP: no Timer G, Timer I is 0: the ACK ends the transaction at once", () =>
    Effect.gen(function*() {
      const { alice, bob, dest, from } = yield* setup(["tcp"])
      const invite = request("INVITE", from, dest)
      yield* alice.send(invite, dest)
      yield* settle
      const tx = received(bob.events.seen)
      yield* bob.layer.respond(tx.id, makeResponse(tx.request, 480, "Temporarily Unavailable", { toTag: "t" }))
      yield* TestClock.adjust(10_000)
      yield* settle
      const got = (yield* alice.inbox.takeAll).map((i) => i.message as SipResponse)
      expect(got.map((r) => r.status)).toEqual([480])
      yield* alice.send(ackFor(invite, got[0]), dest)
      yield* settle
      expect(yield* bob.layer.counts).toEqual({ client: 0, server: 0 })
    }))

  it.effect("TU guard: an INVITE the TU never answers gets 408 after 3 minutes, ServerTransactionFailed goes up, and the transaction drains", () =>
    Effect.gen(function*() {
      const { alice, bob, dest, from } = yield* setup()
      const invite = request("INVITE", from, dest)
      yield* alice.send(invite, dest)
      yield* TestClock.adjust(179_999)
      yield* settle
      expect(summary(yield* alice.inbox.takeAll)).toEqual([100])
      yield* TestClock.adjust(1)
      yield* settle
      const got = (yield* alice.inbox.takeAll).map((i) => i.message as SipResponse)
      expect(got.map((r) => r.status)).toEqual([408])
      expect(tags(bob.events.seen)).toEqual(["RequestReceived", "ServerTransactionFailed"])
      yield* alice.send(ackFor(invite, got[0]), dest)
      yield* TestClock.adjust(5000)
      yield* settle
      expect(yield* bob.layer.counts).toEqual({ client: 0, server: 0 })
    }))

  it.effect("TU guard then no ACK: the 408 is retransmitted until Timer H; ServerTransactionFailed goes up once", () =>
    Effect.gen(function*() {
      const { alice, bob, dest, from } = yield* setup()
      yield* alice.send(request("INVITE", from, dest), dest)
      yield* TestClock.adjust(180_000)
      yield* settle
      expect(summary(yield* alice.inbox.takeAll)).toEqual([100, 408])
      yield* TestClock.adjust(32_000)
      yield* settle
      expect(summary(yield* alice.inbox.takeAll).every((s) => s === 408)).toBe(true)
      expect(yield* bob.layer.counts).toEqual({ client: 0, server: 0 })
      expect(tags(bob.events.seen)).toEqual(["RequestReceived", "ServerTransactionFailed"])
    }))

  it.effect("respond to an unknown transaction fails with ProtocolError NoSuchTransaction", () =>
    Effect.gen(function*() {
      const { bob, from } = yield* setup()
      const error = yield* Effect.flip(bob.layer.respond("nope", makeResponse(request("INVITE", from, bob.udp), 200)))
      expect(error._tag === "ProtocolError" && error.reason).toBe("NoSuchTransaction")
    }))
})
