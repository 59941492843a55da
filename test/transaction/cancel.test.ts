import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit } from "effect"
import { TestClock } from "effect/testing"
import { makeRequest, makeResponse } from "../../src/sip/index.ts"
import type { SipRequest, SipResponse } from "../../src/sip/message.ts"
import type { ServerTransaction, TransactionEvent } from "../../src/transaction/transaction-layer.ts"
import { makeFakeNetwork } from "../../src/transport/fake.ts"
import { exitFailureReason, header, isReq, party, rawPeer, request, sameTransaction, settle, summary, tags, watch } from "./support.ts"
import { LINGER_BATCH_MS } from "../../src/transaction/lingering.ts"

const cancelOf = (invite: SipRequest): SipRequest => sameTransaction("CANCEL", invite)


const received = (events: ReadonlyArray<TransactionEvent>): ServerTransaction => {
  const e = events.find((x) => x._tag === "RequestReceived")
  if (e === undefined || e._tag !== "RequestReceived") throw new Error("no RequestReceived")
  return e.transaction
}

describe("CANCEL (RFC 3261 §9)", () => {
  it.effect("§9.2: a CANCEL matching a pending INVITE is answered 200 by the layer and CancelReceived goes up; the TU's 487 is ACKed and absorbed", () =>
    Effect.gen(function*() {
      const network = yield* makeFakeNetwork({ seed: 1 })
      const bob = yield* party(network, "10.0.0.2", 5060)
      const alice = yield* rawPeer(network, "10.0.0.1", 5070)
      const invite = request("INVITE", alice.udp, bob.udp)
      yield* alice.send(invite, bob.udp)
      yield* settle
      const tx = received(bob.events.seen)
      yield* bob.layer.respond(tx.id, makeResponse(tx.request, 180, "Ringing", { toTag: "bob-t" }))
      yield* alice.send(cancelOf(invite), bob.udp)
      yield* settle
      const got = (yield* alice.inbox.takeAll).map((i) => i.message as SipResponse)
      expect(got.map((r) => r.status)).toEqual([180, 200])
      expect(header(got[1], "cseq")).toMatch(/ CANCEL$/)
      expect(header(got[1], "to")).toBe("<sip:bob@10.0.0.2>;tag=bob-t") // §9.2: same To tag as the INVITE's responses
      expect(tags(bob.events.seen)).toEqual(["RequestReceived", "CancelReceived"])
      const cancelled = bob.events.seen[1]
      expect(cancelled._tag === "CancelReceived" && cancelled.invite.id).toBe(tx.id)
      // A retransmitted CANCEL: 200 again from its own transaction, no second event.
      yield* alice.send(cancelOf(invite), bob.udp)
      yield* settle
      expect(summary(yield* alice.inbox.takeAll)).toEqual([200])
      const terminated = makeResponse(tx.request, 487, "Request Terminated", { toTag: "bob-t" })
      yield* bob.layer.respond(tx.id, terminated)
      yield* settle
      const [final] = (yield* alice.inbox.takeAll).map((i) => i.message as SipResponse)
      expect(final.status).toBe(487)
      yield* alice.send(
        makeRequest({
          method: "ACK",
          uri: invite.uri,
          headers: [
            ["Via", header(invite, "via")!],
            ["From", header(invite, "from")!],
            ["To", header(final, "to")!],
            ["Call-ID", header(invite, "call-id")!],
            ["CSeq", `1 ACK`]
          ]
        }),
        bob.udp
      )
      yield* settle
      expect(tags(bob.events.seen)).toEqual(["RequestReceived", "CancelReceived"])
      yield* TestClock.adjust(32_000 + LINGER_BATCH_MS) // the CANCEL's Timer J (lingering expires in batches)
      yield* settle
      expect(yield* bob.layer.counts).toEqual({ client: 0, server: 0 })
    }))

  it.effect("§9.2: a CANCEL that matches no transaction is answered 481", () =>
    Effect.gen(function*() {
      const network = yield* makeFakeNetwork({ seed: 1 })
      const bob = yield* party(network, "10.0.0.2", 5060)
      const alice = yield* rawPeer(network, "10.0.0.1", 5070)
      yield* alice.send(cancelOf(request("INVITE", alice.udp, bob.udp)), bob.udp)
      yield* settle
      expect(summary(yield* alice.inbox.takeAll)).toEqual([481])
      expect(bob.events.seen.length).toBe(0)
    }))

  it.effect("§9.2: a CANCEL after the INVITE's final response gets 200 and has no effect", () =>
    Effect.gen(function*() {
      const network = yield* makeFakeNetwork({ seed: 1 })
      const bob = yield* party(network, "10.0.0.2", 5060)
      const alice = yield* rawPeer(network, "10.0.0.1", 5070)
      const invite = request("INVITE", alice.udp, bob.udp)
      yield* alice.send(invite, bob.udp)
      yield* settle
      const tx = received(bob.events.seen)
      yield* bob.layer.respond(tx.id, makeResponse(tx.request, 200, "OK", { toTag: "t" }))
      yield* alice.send(cancelOf(invite), bob.udp)
      yield* settle
      expect(summary(yield* alice.inbox.takeAll)).toEqual([200, 200])
      expect(tags(bob.events.seen)).toEqual(["RequestReceived"])
    }))

  it.effect("§9.1: cancel() waits for a provisional, then sends a CANCEL built from the INVITE (R-URI, Call-ID, From, To, CSeq number, top Via branch, Route) as its own transaction", () =>
    Effect.gen(function*() {
      const network = yield* makeFakeNetwork({ seed: 1 })
      const alice = yield* party(network, "10.0.0.1", 5060)
      const bob = yield* rawPeer(network, "10.0.0.2", 5060)
      const tx = yield* alice.layer.sendRequest(request("INVITE", alice.udp, bob.udp, { cseq: 7, route: ["<sip:p@10.0.0.9;lr>"] }), bob.udp)
      const w = yield* watch(tx)
      yield* settle
      const invite = (yield* bob.inbox.takeAll)[0].message as SipRequest
      yield* alice.layer.cancel(tx.id)
      yield* settle
      expect((yield* bob.inbox.takeAll).length).toBe(0) // no CANCEL before a provisional
      yield* bob.send(makeResponse(invite, 180, "Ringing", { toTag: "b" }), alice.udp)
      yield* settle
      const [cancelIn] = yield* bob.inbox.takeAll
      const cancel = cancelIn.message as SipRequest
      expect(isReq(cancel, "CANCEL")).toBe(true)
      expect(cancel.uri).toBe(invite.uri)
      expect(header(cancel, "call-id")).toBe(header(invite, "call-id"))
      expect(header(cancel, "from")).toBe(header(invite, "from"))
      expect(header(cancel, "to")).toBe(header(invite, "to"))
      expect(header(cancel, "cseq")).toBe("7 CANCEL")
      expect(header(cancel, "via")).toBe(header(invite, "via"))
      expect(header(cancel, "route")).toBe("<sip:p@10.0.0.9;lr>")
      expect(yield* alice.layer.counts).toEqual({ client: 2, server: 0 })
      // The CANCEL's 200 matches the CANCEL transaction (same branch, method CANCEL), not the INVITE.
      yield* bob.send(makeResponse(cancel, 200, "OK", { toTag: "b" }), alice.udp)
      yield* bob.send(makeResponse(invite, 487, "Request Terminated", { toTag: "b" }), alice.udp)
      yield* settle
      expect(w.statuses()).toEqual([180, 487])
      expect(summary(yield* bob.inbox.takeAll)).toEqual(["ACK"])
      yield* TestClock.adjust(32_000)
      yield* settle
      expect(w.ended()).toEqual(Exit.void)
      expect(yield* alice.layer.counts).toEqual({ client: 0, server: 0 })
    }))

  it.effect("§9.1: with the CANCEL sent and no final response for 64*T1, the INVITE transaction is given up", () =>
    Effect.gen(function*() {
      const network = yield* makeFakeNetwork({ seed: 1 })
      const alice = yield* party(network, "10.0.0.1", 5060)
      const bob = yield* rawPeer(network, "10.0.0.2", 5060)
      const tx = yield* alice.layer.sendRequest(request("INVITE", alice.udp, bob.udp), bob.udp)
      const w = yield* watch(tx)
      yield* settle
      const invite = (yield* bob.inbox.takeAll)[0].message as SipRequest
      yield* bob.send(makeResponse(invite, 183, "Session Progress", { toTag: "b" }), alice.udp)
      yield* settle
      yield* alice.layer.cancel(tx.id)
      yield* TestClock.adjust(31_999)
      yield* settle
      expect(w.ended()).toBeUndefined()
      yield* TestClock.adjust(1)
      yield* settle
      expect(exitFailureReason(w.ended())).toBe("TransactionTimeout")
      expect(yield* alice.layer.counts).toEqual({ client: 0, server: 0 })
    }))

  it.effect("cancel() of an unknown transaction fails with NoSuchTransaction", () =>
    Effect.gen(function*() {
      const network = yield* makeFakeNetwork({ seed: 1 })
      const alice = yield* party(network, "10.0.0.1", 5060)
      const error = yield* Effect.flip(alice.layer.cancel("z9hG4bKnothing|INVITE"))
      expect(error._tag === "ProtocolError" && error.reason).toBe("NoSuchTransaction")
    }))

  it.effect("end to end on the fake network: UAC cancel() → UAS CancelReceived → 487 → ACK; both sides drain", () =>
    Effect.gen(function*() {
      const network = yield* makeFakeNetwork({ seed: 1, delayMs: 10 })
      const alice = yield* party(network, "10.0.0.1", 5060)
      const bob = yield* party(network, "10.0.0.2", 5060)
      const tx = yield* alice.layer.sendRequest(request("INVITE", alice.udp, bob.udp), bob.udp)
      const w = yield* watch(tx)
      yield* alice.layer.cancel(tx.id)
      yield* TestClock.adjust(10)
      yield* settle
      const incoming = received(bob.events.seen)
      yield* TestClock.adjust(300) // 100 Trying at 200 ms lets the CANCEL go
      yield* settle
      expect(tags(bob.events.seen)).toEqual(["RequestReceived", "CancelReceived"])
      yield* bob.layer.respond(incoming.id, makeResponse(incoming.request, 487, "Request Terminated", { toTag: "b" }))
      yield* TestClock.adjust(100)
      yield* settle
      expect(w.statuses()).toEqual([100, 487])
      yield* TestClock.adjust(64_000)
      yield* settle
      expect(w.ended()).toEqual(Exit.void)
      expect(yield* alice.layer.counts).toEqual({ client: 0, server: 0 })
      expect(yield* bob.layer.counts).toEqual({ client: 0, server: 0 })
      expect(tags(bob.events.seen)).toEqual(["RequestReceived", "CancelReceived"])
    }))
})

describe("response matching (RFC 3261 §17.1.3)", () => {
  it.effect("a 2xx matching no client transaction is reported as StrayResponse with its source", () =>
    Effect.gen(function*() {
      const network = yield* makeFakeNetwork({ seed: 1 })
      const alice = yield* party(network, "10.0.0.1", 5060)
      const bob = yield* rawPeer(network, "10.0.0.2", 5060)
      const invite = request("INVITE", alice.udp, bob.udp)
      yield* bob.send(makeResponse(invite, 200, "OK", { toTag: "b" }), alice.udp)
      yield* settle
      const [stray] = alice.events.seen
      expect(stray._tag).toBe("StrayResponse")
      expect(stray._tag === "StrayResponse" && stray.source).toEqual(bob.udp)
      expect(stray._tag === "StrayResponse" && stray.response.status).toBe(200)
    }))

  it.effect("a response with the right branch but another CSeq method does not match", () =>
    Effect.gen(function*() {
      const network = yield* makeFakeNetwork({ seed: 1 })
      const alice = yield* party(network, "10.0.0.1", 5060)
      const bob = yield* rawPeer(network, "10.0.0.2", 5060)
      const tx = yield* alice.layer.sendRequest(request("OPTIONS", alice.udp, bob.udp), bob.udp)
      const w = yield* watch(tx)
      yield* settle
      const options = (yield* bob.inbox.takeAll)[0].message as SipRequest
      const wrong = makeResponse({ ...options, headers: options.headers.map((h) => h.key === "cseq" ? { ...h, value: "1 INFO" } : h) }, 200, "OK")
      yield* bob.send(wrong, alice.udp)
      yield* settle
      expect(w.statuses()).toEqual([])
      expect(tags(alice.events.seen)).toEqual(["StrayResponse"])
    }))
})
