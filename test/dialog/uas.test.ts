/**
 * DialogLayer as UAS over a scripted TransactionLayer, under TestClock: INVITE → 180 → 200 → ACK,
 * 2xx retransmission and ACK timeout, CANCEL, BYE, and the in-dialog checks (481, 500, 491).
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Fiber, Queue, Stream } from "effect"
import { TestClock } from "effect/testing"
import type { DialogEvent } from "../../src/dialog/dialog-layer.ts"
import { NetworkError } from "../../src/errors.ts"
import { getHeader, getHeaders, makeRequest } from "../../src/sip/index.ts"
import type { SipRequest, SipResponse } from "../../src/sip/message.ts"
import { answer, inDialogRequest, incomingInvite, offerResponse, serverTransaction, settle, setup, setupUnconsumed } from "./support.ts"

const ourTagOf = (dialogId: string): string => dialogId.split(";")[1]!

const ackFor = (ourTag: string, seq = 1) =>
  makeRequest({
    method: "ACK",
    uri: "sip:127.0.0.1:5070;transport=udp",
    headers: [
      ["Via", `SIP/2.0/UDP 10.0.0.9:5061;branch=z9hG4bK-ack-${seq}`],
      ["Max-Forwards", "70"],
      ["From", "\"Alice\" <sip:alice@10.0.0.9>;tag=alice-tag"],
      ["To", `<sip:service@127.0.0.1>;tag=${ourTag}`],
      ["Call-ID", "call-1@10.0.0.9"],
      ["CSeq", `${seq} ACK`],
      ["Content-Type", "application/sdp"]
    ],
    body: Buffer.from("v=0\r\n", "latin1")
  })

/** An incoming INVITE reported, answered 200 (not yet ACKed). */
const answered = Effect.gen(function*() {
  const ctx = yield* setup
  const invite = serverTransaction(incomingInvite())
  yield* ctx.tl.inject({ _tag: "RequestReceived", transaction: invite })
  const reported = ctx.events[0] as Extract<DialogEvent, { _tag: "IncomingInvite" }>
  yield* ctx.dialog.accept(reported.dialogId, { body: { contentType: "application/sdp", bytes: Buffer.from("v=0\r\n") } })
  return { ...ctx, invite, dialogId: reported.dialogId, ourTag: ourTagOf(reported.dialogId) }
})

const confirmed = Effect.gen(function*() {
  const ctx = yield* answered
  yield* ctx.tl.inject({ _tag: "AckReceived", request: ackFor(ctx.ourTag), source: ctx.invite.source })
  return ctx
})

const statusesOf = (responses: ReadonlyArray<SipResponse>) => responses.map((r) => r.status)

describe("DialogLayer UAS (RFC 3261 §12.1.1, §13.3)", () => {
  it.effect("§12.1.1/§13.3.1: INVITE → 180 with our tag and Contact → 200 → ACK confirms the dialog", () =>
    Effect.gen(function*() {
      const { tl, dialog, events } = yield* setup
      const invite = serverTransaction(incomingInvite({ extra: [["Record-Route", "<sip:proxy.example.com;lr>"]] }))
      yield* tl.inject({ _tag: "RequestReceived", transaction: invite })
      expect(events.map((e) => e._tag)).toEqual(["IncomingInvite"])
      const reported = events[0] as Extract<DialogEvent, { _tag: "IncomingInvite" }>
      expect(reported.requestId).toBe(invite.id)
      const ourTag = ourTagOf(reported.dialogId)
      expect(reported.dialogId).toBe(`call-1@10.0.0.9;${ourTag};alice-tag`)
      expect(yield* dialog.counts).toEqual({ dialogs: 0, pendingInvites: 1 })

      yield* dialog.provisional(reported.dialogId, 100)
      yield* dialog.provisional(reported.dialogId, 180)
      const [trying, ringing] = tl.responses(invite.id)
      expect(trying!.status).toBe(100)
      expect(getHeader(trying!, "to")).toBe("<sip:service@127.0.0.1>")
      expect(getHeader(trying!, "contact")).toBeUndefined()
      expect(ringing!.status).toBe(180)
      expect(getHeader(ringing!, "to")).toBe(`<sip:service@127.0.0.1>;tag=${ourTag}`)
      expect(getHeader(ringing!, "contact")).toBe("<sip:127.0.0.1:5070;transport=udp>")
      expect(getHeaders(ringing!, "record-route")).toEqual(["<sip:proxy.example.com;lr>"])
      expect(yield* dialog.counts).toEqual({ dialogs: 1, pendingInvites: 1 })

      const sdp = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\n"
      yield* dialog.accept(reported.dialogId, { body: { contentType: "application/sdp", bytes: Buffer.from(sdp) } })
      const ok = tl.responses(invite.id)[2]!
      expect(ok.status).toBe(200)
      expect(getHeader(ok, "to")).toBe(`<sip:service@127.0.0.1>;tag=${ourTag}`)
      expect(getHeader(ok, "contact")).toBe("<sip:127.0.0.1:5070;transport=udp>")
      expect(getHeader(ok, "content-type")).toBe("application/sdp")
      expect(getHeader(ok, "server")).toBe("effect-sip-test")
      expect(Buffer.from(ok.body).toString()).toBe(sdp)
      expect(yield* dialog.counts).toEqual({ dialogs: 1, pendingInvites: 0 })

      const ack = ackFor(ourTag)
      yield* tl.inject({ _tag: "AckReceived", request: ack, source: invite.source })
      expect(events.map((e) => e._tag)).toEqual(["IncomingInvite", "DialogConfirmed"])
      expect((events[1] as Extract<DialogEvent, { _tag: "DialogConfirmed" }>).ack.body).toEqual(ack.body)
      // The ACK stopped the 2xx retransmissions: nothing more goes out, ever.
      yield* TestClock.adjust("64 seconds")
      expect(tl.stateless()).toEqual([])
      expect(tl.requests()).toEqual([])
    }))

  it.effect("§13.3.1.4: without ACK the 2xx is retransmitted at T1, 2T1, 4T1… capped at T2; at 64*T1 BYE + AckTimeout", () =>
    Effect.gen(function*() {
      const { tl, dialog, events, dialogId } = yield* answered
      const sentAt: Array<number> = []
      for (let t = 100; t <= 32_000; t += 100) {
        yield* TestClock.adjust("100 millis")
        while (sentAt.length < tl.stateless().length) sentAt.push(t)
      }
      // Intervals 500, 1000, 2000, 4000 (T2), 4000…; the 64*T1 = 32 s deadline comes before the next.
      expect(sentAt).toEqual([500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500])
      for (const message of tl.stateless()) {
        expect((message as SipResponse).status).toBe(200)
        expect(getHeader(message, "contact")).toBe("<sip:127.0.0.1:5070;transport=udp>")
      }
      expect(tl.sent.filter((s) => s.op === "stateless").every((s) => s.op === "stateless" && s.destination.port === 5061)).toBe(true)
      const [bye] = tl.requests("BYE")
      expect(bye).toBeDefined()
      // §12.2.1.1: the BYE goes to the remote target (the INVITE's Contact) in our CSeq space.
      expect(bye!.uri).toBe("sip:alice@10.0.0.9:5061")
      expect(getHeader(bye!, "to")).toBe("\"Alice\" <sip:alice@10.0.0.9>;tag=alice-tag")
      expect(getHeader(bye!, "from")).toBe(`<sip:service@127.0.0.1>;tag=${ourTagOf(dialogId)}`)
      expect(getHeader(bye!, "cseq")).toBe("1 BYE")
      expect(events.at(-1)).toEqual({ _tag: "DialogTerminated", dialogId, reason: "AckTimeout" })
      expect(yield* dialog.counts).toEqual({ dialogs: 0, pendingInvites: 0 })
      // A late ACK changes nothing, and no timer is left behind.
      yield* TestClock.adjust("5 minutes")
      expect(tl.stateless()).toHaveLength(10)
    }))

  it.effect("§13.3.1.4: the give-up comes at exactly 64*T1 after the 2xx: no BYE at 31.999 s, BYE + AckTimeout at 32 s", () =>
    Effect.gen(function*() {
      const { tl, events, dialogId } = yield* answered
      yield* TestClock.adjust("31999 millis")
      expect(tl.stateless()).toHaveLength(10)
      expect(tl.requests("BYE")).toEqual([])
      expect(events.some((e) => e._tag === "DialogTerminated")).toBe(false)
      yield* TestClock.adjust("1 millis")
      expect(tl.requests("BYE")).toHaveLength(1)
      expect(events.at(-1)).toEqual({ _tag: "DialogTerminated", dialogId, reason: "AckTimeout" })
    }))

  it.effect("§13.3.1.4: an ACK after two copies stops the retransmission and cancels the give-up", () =>
    Effect.gen(function*() {
      const { tl, dialog, events, dialogId, ourTag, invite } = yield* answered
      yield* TestClock.adjust("1600 millis")
      expect(tl.stateless()).toHaveLength(2) // at 500 and 1500 ms
      yield* tl.inject({ _tag: "AckReceived", request: ackFor(ourTag), source: invite.source })
      expect(events.at(-1)).toMatchObject({ _tag: "DialogConfirmed", dialogId })
      yield* TestClock.adjust("5 minutes")
      expect(tl.stateless()).toHaveLength(2)
      expect(tl.requests("BYE")).toEqual([])
      expect(events.some((e) => e._tag === "DialogTerminated")).toBe(false)
      expect(yield* dialog.counts).toEqual({ dialogs: 1, pendingInvites: 0 })
    }))

  it.effect("§13.3.1.4: a re-INVITE's 2xx restarts the retransmission: the old 2xx stops, the new one runs its own schedule", () =>
    Effect.gen(function*() {
      const { tl, dialog, events, dialogId, ourTag, invite } = yield* answered
      yield* TestClock.adjust("1600 millis")
      expect(tl.stateless()).toHaveLength(2)
      // The initial ACK was lost; the peer re-INVITEs anyway and we answer it 200 at t = 1600 ms.
      const reinvite = serverTransaction(inDialogRequest("INVITE", 2, ourTag))
      yield* tl.inject({ _tag: "RequestReceived", transaction: reinvite })
      expect(events.at(-1)).toMatchObject({ _tag: "ReinviteReceived", requestId: reinvite.id })
      yield* dialog.respond(reinvite.id, 200, { body: { contentType: "application/sdp", bytes: Buffer.from("v=0\r\n") } })
      const copies: Array<[number, string]> = []
      let byeAt: number | undefined
      for (let t = 1700; t <= 33_600; t += 100) {
        yield* TestClock.adjust("100 millis")
        while (copies.length + 2 < tl.stateless().length) copies.push([t, getHeader(tl.stateless()[copies.length + 2]!, "cseq")!])
        if (byeAt === undefined && tl.requests("BYE").length > 0) byeAt = t
      }
      // Only the re-INVITE's 2xx from now on, at T1, 2T1, 4T1, then T2 after its own start.
      expect(copies.every(([, cseq]) => cseq === "2 INVITE")).toBe(true)
      expect(copies.map(([t]) => t - 1600)).toEqual([500, 1500, 3500, 7500, 11500, 15500, 19500, 23500, 27500, 31500])
      // The first 2xx's give-up (due at 32 s) was cancelled: the one at 64*T1 after the new 2xx ends the dialog.
      expect(byeAt).toBe(1600 + 32_000)
      expect(tl.requests("BYE")).toHaveLength(1)
      expect(events.filter((e) => e._tag === "DialogTerminated")).toEqual([{ _tag: "DialogTerminated", dialogId, reason: "AckTimeout" }])
      expect(yield* dialog.counts).toEqual({ dialogs: 0, pendingInvites: 0 })
      // Nothing else left behind, even for a late ACK.
      yield* tl.inject({ _tag: "AckReceived", request: ackFor(ourTag, 2), source: invite.source })
      yield* TestClock.adjust("5 minutes")
      expect(tl.stateless()).toHaveLength(12)
      expect(tl.requests("BYE")).toHaveLength(1)
    }))

  it.effect("§9.2: CANCEL on a ringing INVITE → 487 on the INVITE, InviteCancelled, dialog gone", () =>
    Effect.gen(function*() {
      const { tl, dialog, events } = yield* setup
      const invite = serverTransaction(incomingInvite())
      yield* tl.inject({ _tag: "RequestReceived", transaction: invite })
      const { dialogId } = events[0] as Extract<DialogEvent, { _tag: "IncomingInvite" }>
      yield* dialog.provisional(dialogId, 180)
      const cancel = makeRequest({ method: "CANCEL", uri: invite.request.uri, headers: [] })
      yield* tl.inject({ _tag: "CancelReceived", invite, cancel })
      expect(statusesOf(tl.responses(invite.id))).toEqual([180, 487])
      expect(getHeader(tl.responses(invite.id)[1]!, "to")).toBe(`<sip:service@127.0.0.1>;tag=${ourTagOf(dialogId)}`)
      expect(events.at(-1)).toEqual({ _tag: "InviteCancelled", dialogId })
      expect(yield* dialog.counts).toEqual({ dialogs: 0, pendingInvites: 0 })
      // Too late to answer: the session learns it through a typed error.
      const late = yield* Effect.flip(dialog.accept(dialogId))
      expect(late.reason).toBe("NoSuchDialog")
    }))

  it.effect("reject: a final non-2xx answers the INVITE and leaves no dialog", () =>
    Effect.gen(function*() {
      const { tl, dialog, events } = yield* setup
      const invite = serverTransaction(incomingInvite())
      yield* tl.inject({ _tag: "RequestReceived", transaction: invite })
      const { dialogId } = events[0] as Extract<DialogEvent, { _tag: "IncomingInvite" }>
      yield* dialog.reject(dialogId, 486, { headers: [["Retry-After", "5"]] })
      const busy = tl.responses(invite.id)[0]!
      expect(busy.status).toBe(486)
      expect(busy.reason).toBe("Busy Here")
      expect(getHeader(busy, "retry-after")).toBe("5")
      expect(getHeader(busy, "contact")).toBeUndefined()
      expect(yield* dialog.counts).toEqual({ dialogs: 0, pendingInvites: 0 })
    }))

  it.effect("§15.1.2: BYE in the dialog → 200, DialogTerminated RemoteBye, counts drain to zero", () =>
    Effect.gen(function*() {
      const { tl, dialog, events, dialogId, ourTag } = yield* confirmed
      const bye = serverTransaction(inDialogRequest("BYE", 2, ourTag))
      yield* tl.inject({ _tag: "RequestReceived", transaction: bye })
      expect(statusesOf(tl.responses(bye.id))).toEqual([200])
      expect(events.at(-1)).toEqual({ _tag: "DialogTerminated", dialogId, reason: "RemoteBye" })
      expect(yield* dialog.counts).toEqual({ dialogs: 0, pendingInvites: 0 })
    }))

  it.effect("§12.2.2: a request with a To-tag naming no dialog → 481", () =>
    Effect.gen(function*() {
      const { tl, events } = yield* confirmed
      const stray = serverTransaction(inDialogRequest("BYE", 2, "no-such-tag"))
      yield* tl.inject({ _tag: "RequestReceived", transaction: stray })
      expect(statusesOf(tl.responses(stray.id))).toEqual([481])
      expect(events.map((e) => e._tag)).toEqual(["IncomingInvite", "DialogConfirmed"])
    }))

  it.effect("§12.2.2: a CSeq lower than the last one from the peer → 500; INFO in order goes up (RFC 6086) and is answered through respond", () =>
    Effect.gen(function*() {
      const { tl, dialog, events, dialogId, ourTag } = yield* confirmed
      const info = serverTransaction(inDialogRequest("INFO", 5, ourTag))
      yield* tl.inject({ _tag: "RequestReceived", transaction: info })
      expect(tl.responses(info.id)).toEqual([])
      expect(events.at(-1)).toMatchObject({ _tag: "InfoReceived", dialogId, requestId: info.id })
      yield* dialog.respond(info.id, 200)
      expect(statusesOf(tl.responses(info.id))).toEqual([200])
      expect(getHeader(tl.responses(info.id)[0]!, "to")).toBe(`<sip:service@127.0.0.1>;tag=${ourTag}`)
      const old = serverTransaction(inDialogRequest("INFO", 3, ourTag))
      yield* tl.inject({ _tag: "RequestReceived", transaction: old })
      expect(statusesOf(tl.responses(old.id))).toEqual([500])
      expect(events.map((e) => e._tag)).toEqual(["IncomingInvite", "DialogConfirmed", "InfoReceived"])
    }))

  it.effect("§14.2: a re-INVITE while our re-INVITE is pending → 491; our 2xx is ACKed with the INVITE's CSeq", () =>
    Effect.gen(function*() {
      const { tl, dialog, events, dialogId, ourTag } = yield* confirmed
      const ours = yield* dialog.request(dialogId, "INVITE").pipe(Effect.forkChild)
      yield* settle
      const reinvite = tl.client("INVITE")
      expect(reinvite.request.uri).toBe("sip:alice@10.0.0.9:5061")
      expect(getHeader(reinvite.request, "cseq")).toBe("1 INVITE")
      expect(getHeader(reinvite.request, "contact")).toBe("<sip:127.0.0.1:5070;transport=udp>")
      const theirs = serverTransaction(inDialogRequest("INVITE", 2, ourTag))
      yield* tl.inject({ _tag: "RequestReceived", transaction: theirs })
      expect(statusesOf(tl.responses(theirs.id))).toEqual([491])
      expect(events.some((e) => e._tag === "ReinviteReceived")).toBe(false)
      // A second re-INVITE of ours is refused locally (§14.1).
      const glare = yield* Effect.flip(dialog.request(dialogId, "INVITE"))
      expect(glare.reason).toBe("Glare")

      const { queue } = reinvite
      yield* offerResponse(queue, answer(reinvite.request, 200, "alice-tag"))
      const response = yield* Fiber.join(ours)
      expect(response.status).toBe(200)
      const [ack] = tl.stateless() as Array<SipRequest>
      expect(ack!.method).toBe("ACK")
      expect(getHeader(ack!, "cseq")).toBe("1 ACK")
      // §12.2.1.2: the 2xx to the target refresh moved the remote target.
      expect(ack!.uri).toBe("sip:bob-alice-tag@10.0.0.20:5080")
      // Retransmitted 2xx (still on the client transaction) → the same ACK again.
      yield* offerResponse(queue, answer(reinvite.request, 200, "alice-tag"))
      expect(tl.stateless()).toEqual([ack, ack])
    }))

  it.effect("§14.2: a re-INVITE while the peer's previous INVITE is unanswered → 500 with Retry-After", () =>
    Effect.gen(function*() {
      const { tl, dialog, events, dialogId, ourTag } = yield* confirmed
      const first = serverTransaction(inDialogRequest("INVITE", 2, ourTag))
      yield* tl.inject({ _tag: "RequestReceived", transaction: first })
      expect(events.at(-1)).toMatchObject({ _tag: "ReinviteReceived", dialogId, requestId: first.id })
      const second = serverTransaction(inDialogRequest("INVITE", 3, ourTag))
      yield* tl.inject({ _tag: "RequestReceived", transaction: second })
      const refused = tl.responses(second.id)[0]!
      expect(refused.status).toBe(500)
      expect(getHeader(refused, "retry-after")).toMatch(/^\d+$/)
      // The first re-INVITE answered 200: retransmitted until its ACK, then the dialog is idle again.
      yield* dialog.respond(first.id, 200, { body: { contentType: "application/sdp", bytes: Buffer.from("v=0\r\n") } })
      const ok = tl.responses(first.id)[0]!
      expect(getHeader(ok, "contact")).toBe("<sip:127.0.0.1:5070;transport=udp>")
      yield* TestClock.adjust("1600 millis")
      expect(tl.stateless()).toHaveLength(2)
      yield* tl.inject({ _tag: "AckReceived", request: ackFor(ourTag, 2), source: first.source })
      yield* TestClock.adjust("60 seconds")
      expect(tl.stateless()).toHaveLength(2)
      // The re-INVITE's ACK is reported too (it may carry the answer to an offer in our 2xx).
      expect(events.filter((e) => e._tag === "DialogConfirmed")).toHaveLength(2)
      const third = serverTransaction(inDialogRequest("INVITE", 4, ourTag))
      yield* tl.inject({ _tag: "RequestReceived", transaction: third })
      expect(events.at(-1)).toMatchObject({ _tag: "ReinviteReceived", requestId: third.id })
    }))

  it.effect("§11.2, §8.2.6.2: OPTIONS outside a dialog → 200 from the layer with Allow and Accept and a To-tag", () =>
    Effect.gen(function*() {
      const { tl, dialog, events } = yield* setup
      const options = serverTransaction(makeRequest({
        method: "OPTIONS",
        uri: "sip:service@127.0.0.1:5070",
        headers: [
          ["Via", "SIP/2.0/UDP 10.0.0.9:5061;branch=z9hG4bK-opt"],
          ["From", "<sip:alice@10.0.0.9>;tag=o1"],
          ["To", "<sip:service@127.0.0.1>"],
          ["Call-ID", "opt-1"],
          ["CSeq", "1 OPTIONS"]
        ]
      }))
      yield* tl.inject({ _tag: "RequestReceived", transaction: options })
      expect(events).toEqual([])
      const ok = tl.responses(options.id)[0]!
      expect(ok.status).toBe(200)
      expect(getHeader(ok, "to")).toMatch(/^<sip:service@127\.0\.0\.1>;tag=.+/)
      expect(getHeader(ok, "allow")).toBe("INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, UPDATE, PRACK, MESSAGE, REFER, NOTIFY")
      expect(getHeader(ok, "accept")).toBe("application/sdp")
      const again = yield* Effect.flip(dialog.respond(options.id, 200))
      expect(again.reason).toBe("NoSuchTransaction")
    }))

  it.effect("respond(requestId) on the initial INVITE works like provisional/accept, and §15: a BYE on the early dialog → 487 + 200", () =>
    Effect.gen(function*() {
      const { tl, dialog, events } = yield* setup
      const invite = serverTransaction(incomingInvite())
      yield* tl.inject({ _tag: "RequestReceived", transaction: invite })
      const { dialogId, requestId } = events[0] as Extract<DialogEvent, { _tag: "IncomingInvite" }>
      yield* dialog.respond(requestId, 183, { body: { contentType: "application/sdp", bytes: Buffer.from("v=0\r\n") } })
      expect(statusesOf(tl.responses(invite.id))).toEqual([183])
      expect(yield* dialog.counts).toEqual({ dialogs: 1, pendingInvites: 1 })
      const bye = serverTransaction(inDialogRequest("BYE", 2, ourTagOf(dialogId)))
      yield* tl.inject({ _tag: "RequestReceived", transaction: bye })
      expect(statusesOf(tl.responses(invite.id))).toEqual([183, 487])
      expect(statusesOf(tl.responses(bye.id))).toEqual([200])
      expect(events.at(-1)).toEqual({ _tag: "DialogTerminated", dialogId, reason: "RemoteBye" })
      expect(yield* dialog.counts).toEqual({ dialogs: 0, pendingInvites: 0 })
    }))

  it.effect("a server transaction that fails under a pending INVITE ends its dialog (reported, nothing left)", () =>
    Effect.gen(function*() {
      const { tl, dialog, events } = yield* setup
      const invite = serverTransaction(incomingInvite())
      yield* tl.inject({ _tag: "RequestReceived", transaction: invite })
      const { dialogId } = events[0] as Extract<DialogEvent, { _tag: "IncomingInvite" }>
      yield* dialog.provisional(dialogId, 180)
      yield* tl.inject({
        _tag: "ServerTransactionFailed",
        id: invite.id,
        error: new NetworkError({ reason: "SendFailed", address: "10.0.0.9:5061" })
      })
      expect(events.at(-1)).toEqual({ _tag: "DialogTerminated", dialogId, reason: "TransportError" })
      expect(yield* dialog.counts).toEqual({ dialogs: 0, pendingInvites: 0 })
    }))

  it.effect("RFC 3311: UPDATE → ReinviteReceived; its 2xx carries our Contact and the peer's new Contact becomes the target", () =>
    Effect.gen(function*() {
      const { tl, dialog, events, dialogId, ourTag } = yield* confirmed
      const base = inDialogRequest("UPDATE", 2, ourTag)
      const update = serverTransaction({
        ...base,
        headers: [...base.headers, { name: "Contact", key: "contact", value: "<sip:alice@10.0.0.99:5099>" }]
      })
      yield* tl.inject({ _tag: "RequestReceived", transaction: update })
      expect(events.at(-1)).toMatchObject({ _tag: "ReinviteReceived", dialogId, requestId: update.id })
      yield* dialog.respond(update.id, 200)
      expect(getHeader(tl.responses(update.id)[0]!, "contact")).toBe("<sip:127.0.0.1:5070;transport=udp>")
      // UPDATE needs no ACK: no retransmission of its 2xx.
      yield* TestClock.adjust("10 seconds")
      expect(tl.stateless()).toEqual([])
      yield* dialog.request(dialogId, "INFO").pipe(Effect.forkChild)
      yield* settle
      expect(tl.client("INFO").request.uri).toBe("sip:alice@10.0.0.99:5099")
      expect(tl.sent.at(-1)).toMatchObject({ destination: { host: "10.0.0.99", port: 5099 } })
    }))

  it.effect("§13.2.2.4: a 2xx to our re-INVITE retransmitted after its transaction ended (StrayResponse) is re-ACKed", () =>
    Effect.gen(function*() {
      const { tl, dialog, dialogId } = yield* confirmed
      const ours = yield* dialog.request(dialogId, "INVITE").pipe(Effect.forkChild)
      yield* settle
      const reinvite = tl.client("INVITE")
      const ok = answer(reinvite.request, 200, "alice-tag")
      yield* offerResponse(reinvite.queue, ok)
      yield* Fiber.join(ours)
      yield* Queue.end(reinvite.queue)
      yield* settle
      yield* tl.inject({ _tag: "StrayResponse", response: ok, source: { transport: "udp", host: "10.0.0.9", port: 5061 } })
      const acks = tl.stateless() as Array<SipRequest>
      expect(acks.map((a) => a.method)).toEqual(["ACK", "ACK"])
      expect(acks[1]).toEqual(acks[0])
    }))

  it.effect("§8.2.2.2: the same INVITE over a second path (new branch, same Call-ID/From-tag/CSeq) → 482", () =>
    Effect.gen(function*() {
      const { tl, events } = yield* setup
      yield* tl.inject({ _tag: "RequestReceived", transaction: serverTransaction(incomingInvite()) })
      const copy = serverTransaction(incomingInvite())
      yield* tl.inject({ _tag: "RequestReceived", transaction: copy })
      expect(statusesOf(tl.responses(copy.id))).toEqual([482])
      expect(events.filter((e) => e._tag === "IncomingInvite")).toHaveLength(1)
    }))

  it.effect("§12.1.1: the callee's own BYE follows the Record-Route in order (not reversed), to the first hop", () =>
    Effect.gen(function*() {
      const { tl, dialog, events } = yield* setup
      const invite = serverTransaction(incomingInvite({
        extra: [["Record-Route", "<sip:p1.example.com;lr>"], ["Record-Route", "<sip:p2.example.com:5070;lr>"]]
      }))
      yield* tl.inject({ _tag: "RequestReceived", transaction: invite })
      const { dialogId } = events[0] as Extract<DialogEvent, { _tag: "IncomingInvite" }>
      yield* dialog.accept(dialogId)
      yield* tl.inject({ _tag: "AckReceived", request: ackFor(ourTagOf(dialogId)), source: invite.source })
      const bye = yield* dialog.request(dialogId, "BYE").pipe(Effect.forkChild)
      yield* settle
      const sent = tl.client("BYE")
      expect(sent.request.uri).toBe("sip:alice@10.0.0.9:5061")
      expect(getHeaders(sent.request, "route")).toEqual(["<sip:p1.example.com;lr>", "<sip:p2.example.com:5070;lr>"])
      expect(getHeader(sent.request, "cseq")).toBe("1 BYE")
      expect(tl.sent.at(-1)).toMatchObject({ op: "request", destination: { host: "p1.example.com", port: 5060 } })
      yield* offerResponse(sent.queue, answer(sent.request, 200, undefined))
      expect((yield* Fiber.join(bye)).status).toBe(200)
    }))

  it.effect("events backpressure: with a full queue the layer stops taking transaction events, and loses none", () =>
    Effect.gen(function*() {
      const { tl, dialog } = yield* setupUnconsumed(2)
      const requests = Array.from({ length: 6 }, (_, i) =>
        serverTransaction(makeRequest({
          method: "INVITE",
          uri: "sip:service@127.0.0.1:5070",
          headers: [["From", "<sip:a@10.0.0.9>;tag=f"], ["To", "<sip:service@127.0.0.1>"], ["Call-ID", `bp-${i}`], ["CSeq", "1 INVITE"]]
        })))
      for (const transaction of requests) yield* tl.inject({ _tag: "RequestReceived", transaction })
      // Two queued, one held by the suspended loop: the rest wait in the transaction layer's queue.
      expect(tl.pendingEvents()).toBeGreaterThanOrEqual(3)
      const seen = yield* Stream.take(dialog.events, 6).pipe(Stream.runCollect, Effect.forkChild)
      yield* settle
      const events = yield* Fiber.join(seen)
      expect(events.map((e) => e._tag === "IncomingInvite" && e.requestId)).toEqual(requests.map((r) => r.id))
      expect(tl.pendingEvents()).toBe(0)
    }))
})
