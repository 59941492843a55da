/**
 * Reliable provisionals at the UAC (RFC 3262 §4) over the scripted TransactionLayer: Supported: 100rel
 * on our INVITE, a PRACK with RAck for each reliable 18x in its own early dialog (forking), repeats
 * and out-of-order RSeqs neither PRACKed nor reported, unreliable 18x untouched.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Fiber, Stream } from "effect"
import type { OutgoingInviteEvent } from "../../src/dialog/dialog-layer.ts"
import { getHeader, makeRequest } from "../../src/sip/index.ts"
import { answer, offerResponse, serverTransaction, settle, setup } from "./support.ts"

const callee = { transport: "udp", host: "10.0.0.20", port: 5080 } as const
const reliable = (rseq: number): Array<[string, string]> => [["Require", "100rel"], ["RSeq", String(rseq)]]

const place = Effect.gen(function*() {
  const ctx = yield* setup
  const outgoing = yield* ctx.dialog.invite({
    target: "sip:bob@10.0.0.20:5080",
    from: "<sip:me@127.0.0.1>",
    to: "sip:bob@10.0.0.20",
    destination: callee,
    body: { contentType: "application/sdp", bytes: Buffer.from("v=0\r\n") }
  })
  const progress: Array<OutgoingInviteEvent> = []
  yield* Stream.runForEach(outgoing.events, (e) => Effect.sync(() => void progress.push(e))).pipe(Effect.forkChild)
  yield* settle
  return { ...ctx, progress, client: ctx.tl.client("INVITE") }
})

describe("reliable provisionals (RFC 3262 §4), UAC", () => {
  it.effect("our INVITE says Supported: 100rel; each reliable 18x is PRACKed in its early dialog, in RSeq order", () =>
    Effect.gen(function*() {
      const { tl, client, progress } = yield* place
      expect(getHeader(client.request, "supported")).toBe("100rel, timer, replaces, norefersub")
      yield* offerResponse(client.queue, answer(client.request, 180, "b1", reliable(7)))
      const pracks = () => tl.requests("PRACK")
      expect(pracks().length).toBe(1)
      expect(getHeader(pracks()[0]!, "rack")).toBe("7 1 INVITE")
      expect(getHeader(pracks()[0]!, "to")).toBe("<sip:bob@10.0.0.20>;tag=b1")
      expect(getHeader(pracks()[0]!, "cseq")).toBe("2 PRACK")
      expect(pracks()[0]!.uri).toBe("sip:bob-b1@10.0.0.20:5080")
      // A retransmission (same RSeq) and one skipping an RSeq: neither PRACKed nor reported.
      yield* offerResponse(client.queue, answer(client.request, 180, "b1", reliable(7)))
      yield* offerResponse(client.queue, answer(client.request, 183, "b1", reliable(9)))
      expect(pracks().length).toBe(1)
      yield* offerResponse(client.queue, answer(client.request, 183, "b1", reliable(8)))
      expect(pracks().map((p) => getHeader(p, "rack"))).toEqual(["7 1 INVITE", "8 1 INVITE"])
      // Another fork has its own RSeq space and dialog.
      yield* offerResponse(client.queue, answer(client.request, 180, "b2", reliable(1)))
      expect(getHeader(pracks()[2]!, "to")).toBe("<sip:bob@10.0.0.20>;tag=b2")
      expect(getHeader(pracks()[2]!, "rack")).toBe("1 1 INVITE")
      expect(progress.map((e) => e._tag === "Provisional" ? e.response.status : e._tag)).toEqual([180, 183, 180])
    }))

  it.effect("an unreliable 18x is not PRACKed", () =>
    Effect.gen(function*() {
      const { tl, client, progress } = yield* place
      yield* offerResponse(client.queue, answer(client.request, 180, "b1"))
      yield* offerResponse(client.queue, answer(client.request, 180, "b1"))
      expect(tl.requests("PRACK")).toEqual([])
      expect(progress.length).toBe(2)
    }))
})

describe("requests in the early dialogs of our INVITE", () => {
  it.effect("the callee's UPDATE in an early dialog reaches the session under the call leg's id; the 2xx from another fork still wins", () =>
    Effect.gen(function*() {
      const { tl, client, events, dialog } = yield* place
      const outgoingId = getHeader(client.request, "call-id")!
      yield* offerResponse(client.queue, answer(client.request, 183, "b1", reliable(1)))
      const ourTag = getHeader(client.request, "from")!.split("tag=")[1]!
      const update = makeRequest({
        method: "UPDATE",
        uri: "sip:127.0.0.1:5070;transport=udp",
        headers: [
          ["Via", "SIP/2.0/UDP 10.0.0.20:5080;branch=z9hG4bK-upd-1"],
          ["Max-Forwards", "70"],
          ["From", "<sip:bob@10.0.0.20>;tag=b1"],
          ["To", `<sip:me@127.0.0.1>;tag=${ourTag}`],
          ["Call-ID", outgoingId],
          ["CSeq", "10 UPDATE"]
        ]
      })
      yield* tl.inject({ _tag: "RequestReceived", transaction: serverTransaction(update, callee) })
      const reported = events.at(-1)
      expect(reported?._tag).toBe("ReinviteReceived")
      const leg = `${outgoingId};${ourTag}`
      expect(reported).toMatchObject({ dialogId: leg })
      // A 2xx from another fork wins; the leg id now names that dialog, and requests go there.
      yield* offerResponse(client.queue, answer(client.request, 200, "b2"))
      const info = yield* dialog.request(leg, "INFO").pipe(Effect.forkChild)
      yield* settle
      expect(getHeader(tl.client("INFO").request, "to")).toBe("<sip:bob@10.0.0.20>;tag=b2")
      yield* offerResponse(tl.client("INFO").queue, answer(tl.client("INFO").request, 200, "b2"))
      expect((yield* Fiber.join(info)).status).toBe(200)
    }))
})

/** RFC 3262 §5 and RFC 3264 §4: a late-offer INVITE; the peer's offer is answered where it comes. */
describe("late offer at the UAC: the answer in the PRACK or the ACK", () => {
  const offers: Array<string> = []
  const placeLate = Effect.gen(function*() {
    const ctx = yield* setup
    offers.length = 0
    const outgoing = yield* ctx.dialog.invite({
      target: "sip:bob@10.0.0.20:5080",
      from: "<sip:me@127.0.0.1>",
      to: "sip:bob@10.0.0.20",
      destination: callee,
      answer: (offer) => {
        offers.push(Buffer.from(offer.bytes).toString())
        return { contentType: "application/sdp", bytes: Buffer.from("answer") }
      }
    })
    yield* Stream.runDrain(outgoing.events).pipe(Effect.forkChild)
    yield* settle
    return { ...ctx, client: ctx.tl.client("INVITE") }
  })
  const withSdp = (response: ReturnType<typeof answer>, sdp: string) => ({
    ...response,
    headers: [...response.headers, { key: "content-type", name: "Content-Type", value: "application/sdp" }],
    body: Buffer.from(sdp)
  })

  it.effect("§5: the offer in the first reliable 18x is answered in its PRACK; later SDP on that dialog is not", () =>
    Effect.gen(function*() {
      const { tl, client } = yield* placeLate
      expect(client.request.body.length).toBe(0)
      yield* offerResponse(client.queue, withSdp(answer(client.request, 183, "b1", reliable(1)), "offer"))
      const pracks = () => tl.requests("PRACK")
      expect(Buffer.from(pracks()[0]!.body).toString()).toBe("answer")
      expect(getHeader(pracks()[0]!, "content-type")).toBe("application/sdp")
      expect(offers).toEqual(["offer"])
      yield* offerResponse(client.queue, withSdp(answer(client.request, 183, "b1", reliable(2)), "offer"))
      expect(pracks()[1]!.body.length).toBe(0)
      yield* offerResponse(client.queue, withSdp(answer(client.request, 200, "b1"), "offer"))
      const ack = tl.sent.flatMap((s) => s.op === "stateless" && "method" in s.message && s.message.method === "ACK" ? [s.message] : [])
      expect(ack).toHaveLength(1)
      expect(ack[0]!.body.length).toBe(0)
      expect(offers).toEqual(["offer"])
    }))

  it.effect("RFC 3264 §4: an offer only in the 2xx is answered in the ACK", () =>
    Effect.gen(function*() {
      const { tl, client } = yield* placeLate
      yield* offerResponse(client.queue, answer(client.request, 180, "b1", reliable(1)))
      expect(tl.requests("PRACK")[0]!.body.length).toBe(0)
      yield* offerResponse(client.queue, withSdp(answer(client.request, 200, "b1"), "offer in 2xx"))
      const ack = tl.sent.flatMap((s) => s.op === "stateless" && "method" in s.message && s.message.method === "ACK" ? [s.message] : [])
      expect(Buffer.from(ack[0]!.body).toString()).toBe("answer")
      expect(offers).toEqual(["offer in 2xx"])
    }))
})
