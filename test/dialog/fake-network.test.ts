/**
 * Two full stacks (real TransactionLayer + DialogLayer) on the in-memory FakeNetwork under TestClock:
 * a whole call, a lost ACK recovered by the 2xx retransmission, a CANCEL, and every count back to zero.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Fiber, FiberSet, Stream } from "effect"
import { TestClock } from "effect/testing"
import type { DialogEvent, OutgoingInviteEvent } from "../../src/dialog/dialog-layer.ts"
import { makeDialogLayerWithContext } from "../../src/dialog/live.ts"
import { makeTransactionLayer } from "../../src/transaction/live.ts"
import { TransactionLayer } from "../../src/transaction/transaction-layer.ts"
import { type FakeNetwork, makeFakeNetwork } from "../../src/transport/fake.ts"
import { Transport } from "../../src/transport/transport.ts"
import { getHeader } from "../../src/sip/index.ts"
import { settle } from "./support.ts"

const sdp = (text: string) => ({ contentType: "application/sdp", bytes: Buffer.from(text) })

const stack = (network: FakeNetwork["Service"], host: string) =>
  Effect.gen(function*() {
    const transport = yield* network.endpoint({ host, port: 5060 })
    const transactions = yield* makeTransactionLayer().pipe(Effect.provideService(Transport, transport))
    const { service: dialog, ctx } = yield* makeDialogLayerWithContext({ contactHost: host }).pipe(
      Effect.provideService(TransactionLayer, transactions)
    )
    const events: Array<DialogEvent> = []
    yield* Stream.runForEach(dialog.events, (e) => Effect.sync(() => void events.push(e))).pipe(Effect.forkScoped)
    // Drained: no dialog, no pending INVITE, no transaction, no 2xx retransmission pending, no follower fiber.
    const drained = Effect.all({
      dialog: dialog.counts,
      transactions: transactions.counts,
      retransmits: Effect.sync(() => ctx.retransmits.size),
      fibers: FiberSet.size(ctx.background)
    })
    return { transactions, dialog, events, endpoint: transport.local[0]!, drained }
  })

const call = (network: FakeNetwork["Service"]) =>
  Effect.gen(function*() {
    const alice = yield* stack(network, "10.0.0.1")
    const bob = yield* stack(network, "10.0.0.2")
    const outgoing = yield* alice.dialog.invite({
      target: "sip:bob@10.0.0.2:5060",
      from: "<sip:alice@10.0.0.1>",
      to: "<sip:bob@10.0.0.2>",
      destination: bob.endpoint,
      body: sdp("offer")
    })
    const progress: Array<OutgoingInviteEvent> = []
    const follower = yield* Stream.runForEach(outgoing.events, (e) => Effect.sync(() => void progress.push(e))).pipe(
      Effect.forkChild
    )
    yield* settle
    const incoming = bob.events.find((e) => e._tag === "IncomingInvite")
    if (incoming?._tag !== "IncomingInvite") throw new Error("no IncomingInvite at bob")
    return { alice, bob, outgoing, progress, follower, incoming }
  })

const zero = { dialog: { dialogs: 0, pendingInvites: 0 }, transactions: { client: 0, server: 0 }, retransmits: 0, fibers: 0 }

describe("DialogLayer over the real TransactionLayer on the fake network", () => {
  it.effect("a whole call: 180, 200/ACK, INFO, re-INVITE from the callee, BYE; both sides drain to zero", () =>
    Effect.gen(function*() {
      const network = yield* makeFakeNetwork({ seed: 7 })
      const { alice, bob, outgoing, progress, follower, incoming } = yield* call(network)
      expect(Buffer.from(incoming.request.body).toString()).toBe("offer")
      yield* bob.dialog.provisional(incoming.dialogId, 180)
      yield* settle
      expect(progress.map((e) => e._tag)).toEqual(["Provisional"])
      yield* bob.dialog.accept(incoming.dialogId, { body: sdp("answer") })
      yield* settle
      yield* Fiber.join(follower)
      const answered = progress.at(-1)
      expect(answered?._tag).toBe("Answered")
      if (answered?._tag !== "Answered") return
      expect(Buffer.from(answered.response.body).toString()).toBe("answer")
      // Both sides are in the same dialog (§12): the 2xx carries the INVITE's Call-ID and From-tag.
      expect(getHeader(answered.response, "call-id")).toBe(getHeader(incoming.request, "call-id"))
      expect(getHeader(answered.response, "from")).toBe(getHeader(incoming.request, "from"))
      expect(bob.events.map((e) => e._tag)).toEqual(["IncomingInvite", "DialogConfirmed"])

      // INFO in a dialog (RFC 6086): reported to bob's session, answered by it.
      const info = yield* alice.dialog.request(outgoing.dialogId, "INFO").pipe(Effect.forkChild)
      yield* settle
      const infoEvent = bob.events.at(-1)
      if (infoEvent?._tag !== "InfoReceived") throw new Error("no InfoReceived at bob")
      expect(infoEvent.dialogId).toBe(incoming.dialogId)
      yield* bob.dialog.respond(infoEvent.requestId, 200)
      yield* settle
      expect((yield* Fiber.join(info)).status).toBe(200)
      expect(bob.events.map((e) => e._tag)).toEqual(["IncomingInvite", "DialogConfirmed", "InfoReceived"])

      const reinvite = yield* bob.dialog.request(incoming.dialogId, "INVITE", { body: sdp("hold") }).pipe(Effect.forkChild)
      yield* settle
      const reinviteEvent = alice.events.at(-1)
      expect(reinviteEvent?._tag).toBe("ReinviteReceived")
      if (reinviteEvent?._tag !== "ReinviteReceived") return
      // The callee's re-INVITE reaches the caller under the leg id `invite` returned.
      expect(reinviteEvent.dialogId).toBe(outgoing.dialogId)
      yield* alice.dialog.respond(reinviteEvent.requestId, 200, { body: sdp("held") })
      yield* settle
      expect((yield* Fiber.join(reinvite)).status).toBe(200)
      // Bob's ACK of that 200 reaches the caller under the same leg id.
      expect(alice.events.at(-1)).toMatchObject({ _tag: "DialogConfirmed", dialogId: outgoing.dialogId })

      const bye = yield* alice.dialog.request(outgoing.dialogId, "BYE").pipe(Effect.forkChild)
      yield* settle
      expect((yield* Fiber.join(bye)).status).toBe(200)
      expect(bob.events.at(-1)).toEqual({ _tag: "DialogTerminated", dialogId: incoming.dialogId, reason: "RemoteBye" })
      expect(alice.events.at(-1)).toEqual({ _tag: "DialogTerminated", dialogId: outgoing.dialogId, reason: "LocalBye" })
      // No ACK went missing: no 2xx retransmissions, no AckTimeout after 64*T1; transactions all end.
      yield* TestClock.adjust("40 seconds")
      yield* settle
      expect(yield* alice.drained).toEqual(zero)
      expect(yield* bob.drained).toEqual(zero)
      expect([...alice.events, ...bob.events].some((e) => e._tag === "DialogTerminated" && e.reason === "AckTimeout")).toBe(false)
    }))

  it.effect("§13.3.1.4: a lost ACK is recovered: the 2xx retransmission at T1 is re-ACKed and confirms the call", () =>
    Effect.gen(function*() {
      const network = yield* makeFakeNetwork({ seed: 7 })
      const { alice, bob, progress, incoming } = yield* call(network)
      // Deliver the 200, but lose everything alice sends now (her ACK).
      yield* bob.dialog.accept(incoming.dialogId, { body: sdp("answer") })
      yield* network.setConditions({ loss: 1 })
      yield* settle
      expect(progress.at(-1)?._tag).toBe("Answered")
      expect(bob.events.map((e) => e._tag)).toEqual(["IncomingInvite"])
      yield* network.setConditions({ loss: 0 })
      yield* TestClock.adjust("500 millis")
      yield* settle
      expect(bob.events.map((e) => e._tag)).toEqual(["IncomingInvite", "DialogConfirmed"])
      expect(yield* network.lost).toBeGreaterThanOrEqual(1)
      yield* TestClock.adjust("40 seconds")
      yield* settle
      expect(bob.events.some((e) => e._tag === "DialogTerminated")).toBe(false)
      expect(yield* bob.dialog.counts).toEqual({ dialogs: 1, pendingInvites: 0 })
      expect(yield* alice.dialog.counts).toEqual({ dialogs: 1, pendingInvites: 0 })
    }))

  it.effect("§13.3.1.4: an ACK that never arrives: the callee BYEs after 64*T1 and both dialogs end", () =>
    Effect.gen(function*() {
      const network = yield* makeFakeNetwork({ seed: 7 })
      const { alice, bob, incoming } = yield* call(network)
      yield* bob.dialog.accept(incoming.dialogId)
      yield* network.setConditions({ loss: 1 })
      yield* settle
      // Alice's ACKs (for the 200 and each retransmission, the last at 31.5 s) are all lost; the network
      // heals just after, so bob's BYE at 64*T1 = 32 s goes through.
      yield* TestClock.adjust("31600 millis")
      yield* settle
      yield* network.setConditions({ loss: 0 })
      yield* TestClock.adjust("400 millis")
      yield* settle
      expect(bob.events.at(-1)).toEqual({ _tag: "DialogTerminated", dialogId: incoming.dialogId, reason: "AckTimeout" })
      expect(alice.events.at(-1)).toMatchObject({ _tag: "DialogTerminated", reason: "RemoteBye" })
      yield* TestClock.adjust("64 seconds")
      yield* settle
      expect(yield* alice.drained).toEqual(zero)
      expect(yield* bob.drained).toEqual(zero)
    }))

  it.effect("§9: CANCEL end to end: the callee sees InviteCancelled, the caller's INVITE fails with 487", () =>
    Effect.gen(function*() {
      const network = yield* makeFakeNetwork({ seed: 7 })
      const { alice, bob, outgoing, progress, follower, incoming } = yield* call(network)
      yield* bob.dialog.provisional(incoming.dialogId, 180)
      yield* settle
      yield* alice.dialog.cancel(outgoing.dialogId)
      yield* settle
      expect(bob.events.at(-1)).toEqual({ _tag: "InviteCancelled", dialogId: incoming.dialogId })
      yield* Fiber.join(follower)
      const failed = progress.at(-1)
      expect(failed?._tag === "Failed" && failed.response.status).toBe(487)
      yield* TestClock.adjust("64 seconds")
      yield* settle
      expect(yield* alice.drained).toEqual(zero)
      expect(yield* bob.drained).toEqual(zero)
    }))

  it.effect("load: 300 concurrent calls (INVITE/180/200/ACK/BYE) with 5% loss and duplication all complete and drain", () =>
    Effect.gen(function*() {
      const network = yield* makeFakeNetwork({ seed: 11, loss: 0.05, duplication: 0.05, delayMs: 5 })
      const alice = yield* stack(network, "10.0.0.1")
      const bob = yield* stack(network, "10.0.0.2")
      // Bob answers every INVITE at once: 180 then 200.
      const answered = new Set<string>()
      yield* Effect.forever(Effect.gen(function*() {
        yield* Effect.yieldNow
        for (const e of bob.events) {
          if (e._tag !== "IncomingInvite" || answered.has(e.dialogId)) continue
          answered.add(e.dialogId)
          yield* bob.dialog.provisional(e.dialogId, 180).pipe(Effect.ignore)
          yield* bob.dialog.accept(e.dialogId).pipe(Effect.ignore)
        }
        yield* Effect.sleep("1 millis")
      })).pipe(Effect.forkScoped)
      const calls = 300
      const started = Date.now()
      const oneCall = Effect.gen(function*() {
        const outgoing = yield* alice.dialog.invite({
          target: "sip:bob@10.0.0.2:5060",
          from: "<sip:alice@10.0.0.1>",
          to: "<sip:bob@10.0.0.2>",
          destination: bob.endpoint
        })
        const progress = yield* Stream.runCollect(outgoing.events)
        const last = progress.at(-1)
        if (last?._tag !== "Answered") return "failed"
        yield* Effect.sleep("2 seconds")
        const bye = yield* alice.dialog.request(outgoing.dialogId, "BYE")
        return bye.status === 200 ? "ok" : "bye-failed"
      }).pipe(Effect.catch(() => Effect.succeed("error")))
      const all = yield* Effect.forEach(Array.from({ length: calls }), () => oneCall, { concurrency: "unbounded" }).pipe(
        Effect.forkChild
      )
      for (let i = 0; i < 80 && all.pollUnsafe() === undefined; i++) {
        yield* TestClock.adjust("500 millis")
        yield* settle
      }
      const outcomes = yield* Fiber.join(all)
      const elapsed = Date.now() - started
      console.log(`dialog load: ${calls} calls over the fake network (5% loss/dup) in ${elapsed} ms wall time`)
      expect(outcomes.filter((o) => o === "ok")).toHaveLength(calls)
      expect(bob.events.filter((e) => e._tag === "DialogTerminated" && e.reason === "RemoteBye")).toHaveLength(calls)
      yield* TestClock.adjust("64 seconds")
      yield* settle
      expect(yield* alice.drained).toEqual(zero)
      expect(yield* bob.drained).toEqual(zero)
    }))
})
