/**
 * DialogLayer as UAC over a scripted TransactionLayer: the INVITE we build, early dialogs per To-tag
 * (forking), the first 2xx confirmed and ACKed, a later 2xx from another fork ACKed then BYEd, and
 * in-dialog requests built from the route set (loose and strict routing).
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Fiber, Queue, Stream } from "effect"
import { TestClock } from "effect/testing"
import type { OutgoingInviteEvent } from "../../src/dialog/dialog-layer.ts"
import { ProtocolError } from "../../src/errors.ts"
import { getHeader, getHeaders, isParseError, parseVia, topVia } from "../../src/sip/index.ts"
import { tagOf } from "../../src/dialog/dialog-state.ts"
import type { SipRequest } from "../../src/sip/message.ts"
import { answer, offerResponse, settle, setup } from "./support.ts"

const callee = { transport: "udp", host: "10.0.0.20", port: 5080 } as const

const place = Effect.gen(function*() {
  const ctx = yield* setup
  const outgoing = yield* ctx.dialog.invite({
    target: "sip:bob@10.0.0.20:5080",
    from: "\"Me\" <sip:me@127.0.0.1>",
    to: "sip:bob@10.0.0.20",
    destination: callee,
    body: { contentType: "application/sdp", bytes: Buffer.from("v=0\r\n") }
  })
  const progress: Array<OutgoingInviteEvent> = []
  const follower = yield* Stream.runForEach(outgoing.events, (e) => Effect.sync(() => void progress.push(e))).pipe(
    Effect.forkChild
  )
  yield* settle
  const client = ctx.tl.client("INVITE")
  return { ...ctx, outgoing, progress, follower, client }
})

const branchOf = (request: SipRequest): string | undefined => {
  const via = topVia(request)
  return isParseError(via) ? undefined : via.branch
}

/** A call answered by fork `tag`, with a Record-Route set `routes` in the 2xx. */
const answeredWith = (routes: ReadonlyArray<string>) =>
  Effect.gen(function*() {
    const ctx = yield* place
    yield* offerResponse(ctx.client.queue, answer(ctx.client.request, 200, "b1", routes.map((r) => ["Record-Route", r] as [string, string])))
    const answered = ctx.progress.find((e) => e._tag === "Answered")
    if (answered?._tag !== "Answered") throw new Error("not answered")
    return { ...ctx, dialogId: ctx.outgoing.dialogId }
  })

describe("DialogLayer UAC (RFC 3261 §12.1.2, §13.2)", () => {
  it.effect("§8.1.1/§13.2.1: the INVITE carries our From-tag, a new Call-ID, CSeq 1, Contact, Max-Forwards 70", () =>
    Effect.gen(function*() {
      const { client, outgoing, tl } = yield* place
      const invite = client.request
      expect(invite.uri).toBe("sip:bob@10.0.0.20:5080")
      expect(getHeader(invite, "from")).toMatch(/^"Me" <sip:me@127\.0\.0\.1>;tag=[0-9a-f]+$/)
      expect(getHeader(invite, "to")).toBe("<sip:bob@10.0.0.20>")
      expect(getHeader(invite, "call-id")).toBe(outgoing.callId)
      expect(getHeader(invite, "cseq")).toBe("1 INVITE")
      expect(getHeader(invite, "max-forwards")).toBe("70")
      expect(getHeader(invite, "contact")).toBe("<sip:127.0.0.1:5070;transport=udp>")
      expect(getHeader(invite, "content-type")).toBe("application/sdp")
      expect(branchOf(invite)).toMatch(/^z9hG4bK/)
      expect(tl.sent[0]).toMatchObject({ op: "request", destination: callee })
      expect(outgoing.dialogId).toBe(`${outgoing.callId};${getHeader(invite, "from")!.split("tag=")[1]}`)
    }))

  it.effect("§13.2.2.4 forking: two early dialogs, the first 2xx confirms one (ACKed); a 2xx from the other → ACK + BYE", () =>
    Effect.gen(function*() {
      const { tl, dialog, client, progress, follower } = yield* place
      const rr: Array<[string, string]> = [["Record-Route", "<sip:p2.example.com;lr>"], ["Record-Route", "<sip:p1.example.com;lr>"]]
      yield* offerResponse(client.queue, answer(client.request, 100, undefined))
      yield* offerResponse(client.queue, answer(client.request, 180, "b1", rr))
      yield* offerResponse(client.queue, answer(client.request, 180, "b2"))
      expect(progress.map((e) => e._tag)).toEqual(["Provisional", "Provisional"])
      expect(progress.map((e) => tagOf(e.response, "to"))).toEqual(["b1", "b2"])
      expect(yield* dialog.counts).toEqual({ dialogs: 2, pendingInvites: 1 })

      const ok1 = answer(client.request, 200, "b1", rr)
      yield* offerResponse(client.queue, ok1)
      expect(progress.at(-1)).toMatchObject({ _tag: "Answered", response: ok1 })
      expect(yield* dialog.counts).toEqual({ dialogs: 1, pendingInvites: 0 })
      // The events stream ended with the ACK sent.
      yield* Fiber.join(follower)
      const [ack] = tl.stateless() as Array<SipRequest>
      expect(ack!.method).toBe("ACK")
      expect(ack!.uri).toBe("sip:bob-b1@10.0.0.20:5080")
      expect(getHeader(ack!, "cseq")).toBe("1 ACK")
      expect(getHeader(ack!, "to")).toBe("<sip:bob@10.0.0.20>;tag=b1")
      // §12.1.2: the UAC's route set is the Record-Route in reverse order.
      expect(getHeaders(ack!, "route")).toEqual(["<sip:p1.example.com;lr>", "<sip:p2.example.com;lr>"])
      expect(branchOf(ack!)).not.toBe(branchOf(client.request))
      expect(tl.sent.at(-1)).toMatchObject({ op: "stateless", destination: { host: "p1.example.com", port: 5060 } })

      // A retransmission of the winning 2xx gets the same ACK again.
      yield* offerResponse(client.queue, ok1)
      expect(tl.stateless()).toEqual([ack, ack])

      // The other fork answers too: ACK it, then BYE it (§13.2.2.4); the call stays on b1.
      yield* offerResponse(client.queue, answer(client.request, 200, "b2"))
      const ack2 = tl.stateless().at(-1) as SipRequest
      expect(ack2.method).toBe("ACK")
      expect(ack2.uri).toBe("sip:bob-b2@10.0.0.20:5080")
      expect(getHeader(ack2, "to")).toBe("<sip:bob@10.0.0.20>;tag=b2")
      const [bye] = tl.requests("BYE")
      expect(bye!.uri).toBe("sip:bob-b2@10.0.0.20:5080")
      expect(getHeader(bye!, "to")).toBe("<sip:bob@10.0.0.20>;tag=b2")
      expect(getHeader(bye!, "cseq")).toBe("2 BYE")
      expect(yield* dialog.counts).toEqual({ dialogs: 1, pendingInvites: 0 })
      // Its retransmitted 2xx arrives after the INVITE transaction ended: re-ACKed, not re-BYEd.
      const bye2xxBefore = tl.requests("BYE").length
      yield* offerResponse(client.queue, answer(client.request, 200, "b2"))
      expect((tl.stateless().at(-1) as SipRequest).uri).toBe("sip:bob-b2@10.0.0.20:5080")
      expect(tl.requests("BYE")).toHaveLength(bye2xxBefore)
      yield* Queue.end(client.queue)
      yield* Queue.end(tl.client("BYE").queue)
      yield* settle
      // Once the INVITE transaction is gone, a stray retransmission of the winning 2xx is still ACKed.
      yield* tl.inject({ _tag: "StrayResponse", response: ok1, source: callee })
      expect(tl.stateless().at(-1)).toEqual(ack)
    }))

  it.effect("§12.2.1.1: an in-dialog request: Request-URI = remote target, Route with lr, CSeq + 1", () =>
    Effect.gen(function*() {
      const { tl, dialog, dialogId } = yield* answeredWith(["<sip:p2.example.com:5070;lr>", "<sip:p1.example.com;lr>"])
      const info = yield* dialog.request(dialogId, "INFO", {
        body: { contentType: "application/dtmf-relay", bytes: Buffer.from("Signal=5\r\n") },
        headers: [["X-Test", "1"]]
      }).pipe(Effect.forkChild)
      yield* settle
      const sent = tl.client("INFO")
      expect(sent.request.uri).toBe("sip:bob-b1@10.0.0.20:5080")
      expect(getHeaders(sent.request, "route")).toEqual(["<sip:p1.example.com;lr>", "<sip:p2.example.com:5070;lr>"])
      expect(getHeader(sent.request, "cseq")).toBe("2 INFO")
      expect(getHeader(sent.request, "x-test")).toBe("1")
      expect(getHeader(sent.request, "content-type")).toBe("application/dtmf-relay")
      expect(getHeader(sent.request, "contact")).toBeUndefined()
      expect(tl.sent.at(-1)).toMatchObject({ op: "request", destination: { host: "p1.example.com", port: 5060, transport: "udp" } })
      yield* offerResponse(sent.queue, answer(sent.request, 200, "b1"))
      expect((yield* Fiber.join(info)).status).toBe(200)
      // Via on every request, with a fresh branch and rport.
      const via = parseVia(getHeader(sent.request, "via")!)
      expect(isParseError(via) ? undefined : via.rport).toBe(null)
    }))

  it.effect("§12.2.1.1 strict routing: a first route without lr becomes the Request-URI; the target goes last", () =>
    Effect.gen(function*() {
      const { tl, dialog, dialogId } = yield* answeredWith(["<sip:p2.example.com;lr>", "<sip:strict.example.com:5062;transport=tcp>"])
      yield* dialog.request(dialogId, "OPTIONS").pipe(Effect.forkChild)
      yield* settle
      const sent = tl.client("OPTIONS")
      expect(sent.request.uri).toBe("sip:strict.example.com:5062;transport=tcp")
      expect(getHeaders(sent.request, "route")).toEqual(["<sip:p2.example.com;lr>", "<sip:bob-b1@10.0.0.20:5080>"])
      expect(tl.sent.at(-1)).toMatchObject({ destination: { host: "strict.example.com", port: 5062, transport: "tcp" } })
    }))

  it.effect("§15.1.1: BYE ends the dialog whatever its answer (LocalBye); counts drain to zero", () =>
    Effect.gen(function*() {
      const { tl, dialog, dialogId, events, outgoing } = yield* answeredWith([])
      // The id `invite` returned keeps working for the confirmed dialog.
      const bye = yield* dialog.request(outgoing.dialogId, "BYE").pipe(Effect.forkChild)
      yield* settle
      expect(yield* dialog.counts).toEqual({ dialogs: 0, pendingInvites: 0 })
      const sent = tl.client("BYE")
      expect(getHeader(sent.request, "cseq")).toBe("2 BYE")
      yield* offerResponse(sent.queue, answer(sent.request, 404, "b1"))
      expect((yield* Fiber.join(bye)).status).toBe(404)
      yield* settle
      expect(events.at(-1)).toEqual({ _tag: "DialogTerminated", dialogId, reason: "LocalBye" })
      const again = yield* Effect.flip(dialog.request(dialogId, "INFO"))
      expect(again.reason).toBe("NoSuchDialog")
    }))

  it.effect("§12.2.1.2: a 481 or a transaction timeout on an in-dialog request ends the dialog", () =>
    Effect.gen(function*() {
      const first = yield* answeredWith([])
      const info = yield* first.dialog.request(first.dialogId, "INFO").pipe(Effect.forkChild)
      yield* settle
      const sent = first.tl.client("INFO")
      yield* offerResponse(sent.queue, answer(sent.request, 481, "b1"))
      expect((yield* Fiber.join(info)).status).toBe(481)
      yield* settle
      expect(first.events.at(-1)).toEqual({ _tag: "DialogTerminated", dialogId: first.dialogId, reason: "Timeout" })

      const second = yield* answeredWith([])
      const options = yield* second.dialog.request(second.dialogId, "OPTIONS").pipe(Effect.forkChild)
      yield* settle
      yield* Queue.fail(second.tl.client("OPTIONS").queue, new ProtocolError({ reason: "TransactionTimeout", message: "Timer F" }))
      yield* settle
      const error = yield* Effect.flip(Fiber.join(options))
      expect(error._tag === "ProtocolError" && error.reason).toBe("TransactionTimeout")
      expect(second.events.at(-1)).toEqual({ _tag: "DialogTerminated", dialogId: second.dialogId, reason: "Timeout" })
      expect(yield* second.dialog.counts).toEqual({ dialogs: 0, pendingInvites: 0 })
    }))

  it.effect("§9.1: cancel → CANCEL on the INVITE transaction; the 487 fails the INVITE; early dialogs go", () =>
    Effect.gen(function*() {
      const { tl, dialog, client, outgoing, progress, follower } = yield* place
      const early = yield* Effect.flip(dialog.cancel("no-such-invite"))
      expect(early.reason).toBe("NoSuchTransaction")
      yield* offerResponse(client.queue, answer(client.request, 183, "b1"))
      yield* dialog.cancel(outgoing.dialogId)
      expect(tl.sent.at(-1)).toEqual({ op: "cancel", id: client.id })
      yield* offerResponse(client.queue, answer(client.request, 487, "b1"))
      yield* Fiber.join(follower)
      expect(progress.map((e) => e._tag)).toEqual(["Provisional", "Failed"])
      yield* Queue.end(client.queue)
      yield* settle
      expect(yield* dialog.counts).toEqual({ dialogs: 0, pendingInvites: 0 })
    }))

  it.effect("Timer B: an INVITE that times out fails its events stream with TransactionTimeout", () =>
    Effect.gen(function*() {
      const { dialog, client, outgoing } = yield* place
      yield* Queue.fail(client.queue, new ProtocolError({ reason: "TransactionTimeout", message: "Timer B" }))
      yield* settle
      const error = yield* Effect.flip(Stream.runDrain(outgoing.events))
      expect(error._tag === "ProtocolError" && error.reason).toBe("TransactionTimeout")
      expect(yield* dialog.counts).toEqual({ dialogs: 0, pendingInvites: 0 })
      yield* TestClock.adjust("5 minutes")
    }))
})
