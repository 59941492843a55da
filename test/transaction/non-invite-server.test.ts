import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { TestClock } from "effect/testing"
import { makeResponse } from "../../src/sip/index.ts"
import type { ServerTransaction } from "../../src/transaction/transaction-layer.ts"
import { makeFakeNetwork } from "../../src/transport/fake.ts"
import { party, rawPeer, request, settle, summary, tags } from "./support.ts"
import { LINGER_BATCH_MS } from "../../src/transaction/lingering.ts"

const setup = (transports: ReadonlyArray<"udp" | "tcp"> = ["udp"]) =>
  Effect.gen(function*() {
    const network = yield* makeFakeNetwork({ seed: 5 })
    const bob = yield* party(network, "10.0.0.2", 5060, { transports })
    const alice = yield* rawPeer(network, "10.0.0.1", 5070, transports)
    return { alice, bob, dest: bob.local[0], from: alice.local[0] }
  })

const received = (events: ReadonlyArray<{ readonly _tag: string }>): ServerTransaction => {
  const e = events.find((x) => x._tag === "RequestReceived") as { readonly transaction: ServerTransaction } | undefined
  if (e === undefined) throw new Error("no RequestReceived")
  return e.transaction
}

describe("non-INVITE server transaction (RFC 3261 §17.2.2)", () => {
  it.effect("§17.2.2: Trying absorbs retransmissions, Proceeding answers them with the provisional, Completed with the final; Timer J (64*T1) ends it", () =>
    Effect.gen(function*() {
      const { alice, bob, dest, from } = yield* setup()
      const options = request("OPTIONS", from, dest)
      yield* alice.send(options, dest)
      yield* settle
      const tx = received(bob.events.seen)
      expect(tx.source).toEqual(from)
      yield* alice.send(options, dest)
      yield* settle
      expect((yield* alice.inbox.takeAll).length).toBe(0) // Trying: absorbed
      yield* bob.layer.respond(tx.id, makeResponse(tx.request, 183, "Progress", { toTag: "t" }))
      yield* alice.send(options, dest)
      yield* settle
      expect(summary(yield* alice.inbox.takeAll)).toEqual([183, 183])
      yield* bob.layer.respond(tx.id, makeResponse(tx.request, 200, "OK", { toTag: "t" }))
      // §17.2.2: further finals from the TU are discarded.
      yield* bob.layer.respond(tx.id, makeResponse(tx.request, 500, "Oops", { toTag: "t" }))
      yield* alice.send(options, dest)
      yield* settle
      expect(summary(yield* alice.inbox.takeAll)).toEqual([200, 200])
      expect(tags(bob.events.seen)).toEqual(["RequestReceived"])
      yield* TestClock.adjust(31_999)
      yield* settle
      expect(yield* bob.layer.counts).toEqual({ client: 0, server: 1 })
      yield* TestClock.adjust(1 + LINGER_BATCH_MS) // at least 64*T1, at most a batch more
      yield* settle
      expect(yield* bob.layer.counts).toEqual({ client: 0, server: 0 })
      // After Timer J the same request is a new transaction.
      yield* alice.send(options, dest)
      yield* settle
      expect(tags(bob.events.seen)).toEqual(["RequestReceived", "RequestReceived"])
    }))

  it.effect("§17.2.2 on TCP: Timer J is 0: the final response ends the transaction", () =>
    Effect.gen(function*() {
      const { alice, bob, dest, from } = yield* setup(["tcp"])
      yield* alice.send(request("REGISTER", from, dest), dest)
      yield* settle
      const tx = received(bob.events.seen)
      yield* bob.layer.respond(tx.id, makeResponse(tx.request, 200, "OK", { toTag: "t" }))
      yield* settle
      expect(summary(yield* alice.inbox.takeAll)).toEqual([200])
      expect(yield* bob.layer.counts).toEqual({ client: 0, server: 0 })
    }))

  it.effect("TU guard: a request the TU never answers gets 408 at 64*T1 and ServerTransactionFailed; Timer J then drains it", () =>
    Effect.gen(function*() {
      const { alice, bob, dest, from } = yield* setup()
      yield* alice.send(request("INFO", from, dest), dest)
      yield* TestClock.adjust(31_999)
      yield* settle
      expect((yield* alice.inbox.takeAll).length).toBe(0)
      yield* TestClock.adjust(1)
      yield* settle
      expect(summary(yield* alice.inbox.takeAll)).toEqual([408])
      expect(tags(bob.events.seen)).toEqual(["RequestReceived", "ServerTransactionFailed"])
      yield* TestClock.adjust(32_000 + LINGER_BATCH_MS)
      yield* settle
      expect(yield* bob.layer.counts).toEqual({ client: 0, server: 0 })
    }))

  it.effect("§17.2.4: a transport error on the response is returned to the TU and ends the transaction (TCP peer gone)", () =>
    Effect.gen(function*() {
      const network = yield* makeFakeNetwork({ seed: 5 })
      const bob = yield* party(network, "10.0.0.2", 5060, { transports: ["tcp"] })
      // The peer sends over TCP, then its endpoint goes away (its connection is lost).
      yield* Effect.scoped(Effect.gen(function*() {
        const alice = yield* rawPeer(network, "10.0.0.1", 5070, ["tcp"])
        yield* alice.send(request("OPTIONS", alice.local[0], bob.local[0]), bob.local[0])
        yield* settle
      }))
      const tx = received(bob.events.seen)
      const error = yield* Effect.flip(bob.layer.respond(tx.id, makeResponse(tx.request, 200, "OK", { toTag: "t" })))
      expect(error._tag === "NetworkError" && error.reason).toBe("ConnectFailed")
      expect(yield* bob.layer.counts).toEqual({ client: 0, server: 0 })
    }))

  it.effect("§17.2.3: same branch, different sent-by → two transactions; same branch and sent-by, other method → two transactions", () =>
    Effect.gen(function*() {
      const network = yield* makeFakeNetwork({ seed: 5 })
      const bob = yield* party(network, "10.0.0.2", 5060)
      const a1 = yield* rawPeer(network, "10.0.0.1", 5070)
      const a2 = yield* rawPeer(network, "10.0.0.3", 5070)
      const branch = "z9hG4bK-shared-branch"
      yield* a1.send(request("OPTIONS", a1.udp, bob.udp, { branch }), bob.udp)
      yield* a2.send(request("OPTIONS", a2.udp, bob.udp, { branch }), bob.udp)
      yield* a1.send(request("MESSAGE", a1.udp, bob.udp, { branch }), bob.udp)
      yield* settle
      expect(tags(bob.events.seen)).toEqual(["RequestReceived", "RequestReceived", "RequestReceived"])
      expect(yield* bob.layer.counts).toEqual({ client: 0, server: 3 })
    }))

  it.effect("§17.2.3: RFC 2543 requests (no magic cookie) match on R-URI, From tag, Call-ID, CSeq and top Via", () =>
    Effect.gen(function*() {
      const network = yield* makeFakeNetwork({ seed: 5 })
      const bob = yield* party(network, "10.0.0.2", 5060)
      const a = yield* rawPeer(network, "10.0.0.1", 5070)
      const old = request("OPTIONS", a.udp, bob.udp, { branch: "old-style-1" })
      yield* a.send(old, bob.udp)
      yield* a.send(old, bob.udp)
      yield* settle
      expect(tags(bob.events.seen)).toEqual(["RequestReceived"])
    }))
})
