/**
 * The DialogLayer on real sockets (127.0.0.1, ephemeral ports): two stacks place and end a call over
 * UDP, and SIPp's built-in UAC scenario (INVITE, 200, ACK, BYE) calls a DialogLayer that auto-answers.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Fiber, Layer, Queue, Stream } from "effect"
import * as Dgram from "node:dgram"
import { DialogLayer, type DialogEvent, type OutgoingInviteEvent } from "../../src/dialog/dialog-layer.ts"
import { DialogLive } from "../../src/dialog/live.ts"
import { TransactionLive } from "../../src/transaction/live.ts"
import { TransactionLayer } from "../../src/transaction/transaction-layer.ts"
import { TransportLive } from "../../src/transport/live.ts"
import { runSipp } from "../support/run-process.ts"

/** Transport → TransactionLayer → DialogLayer on 127.0.0.1:0, built in the test's scope. */
const stack = Effect.gen(function*() {
  const layer = DialogLive.layer({ contactHost: "127.0.0.1", userAgent: "effect-sip-dialog-test" }).pipe(
    Layer.provideMerge(TransactionLive.layer().pipe(Layer.provideMerge(TransportLive.layer({ host: "127.0.0.1", port: 0, transports: ["udp"] }))))
  )
  const context = yield* Layer.build(layer)
  const dialog = context.mapUnsafe.get(DialogLayer.key) as DialogLayer["Service"]
  const transactions = context.mapUnsafe.get(TransactionLayer.key) as TransactionLayer["Service"]
  const events = yield* Queue.unbounded<DialogEvent>()
  yield* Stream.runForEach(dialog.events, (e) => Queue.offer(events, e)).pipe(Effect.forkScoped)
  const next = Queue.take(events).pipe(Effect.timeout("3 seconds"), Effect.orDie)
  return { dialog, transactions, next, endpoint: transactions.local[0]! }
})

/** Answer every INVITE 180 then 200 (the layer answers OPTIONS itself); collect what happened. */
const autoAnswer = (side: Effect.Success<typeof stack>) =>
  Effect.gen(function*() {
    const seen: Array<DialogEvent["_tag"]> = []
    yield* Effect.forever(Effect.gen(function*() {
      const event = yield* side.next.pipe(Effect.timeout("60 seconds"), Effect.orDie)
      seen.push(event._tag)
      if (event._tag === "IncomingInvite") {
        yield* side.dialog.provisional(event.dialogId, 180).pipe(Effect.orDie)
        yield* side.dialog.accept(event.dialogId).pipe(Effect.orDie)
      }
    })).pipe(Effect.forkScoped)
    return seen
  })

/** An ephemeral UDP port the OS just handed out (and we released) for SIPp to bind. */
const freeUdpPort = Effect.promise(() =>
  new Promise<number>((resolve) => {
    const socket = Dgram.createSocket("udp4")
    socket.bind(0, "127.0.0.1", () => {
      const { port } = socket.address()
      socket.close(() => resolve(port))
    })
  })
)



describe("DialogLayer on UDP 127.0.0.1", () => {
  it.live("two stacks: INVITE → 180 → 200 → ACK → BYE over real sockets; both drain to zero", () =>
    Effect.gen(function*() {
      const alice = yield* stack
      const bob = yield* stack
      const bobSeen = yield* autoAnswer(bob)
      const outgoing = yield* alice.dialog.invite({
        target: `sip:bob@127.0.0.1:${bob.endpoint.port}`,
        from: "<sip:alice@127.0.0.1>",
        to: "<sip:bob@127.0.0.1>",
        destination: bob.endpoint
      })
      const progress: Array<OutgoingInviteEvent> = yield* Stream.runCollect(outgoing.events)
      expect(progress.map((e) => e._tag)).toEqual(["Provisional", "Answered"])
      const answered = progress[1]!
      if (answered._tag !== "Answered") return
      const bye = yield* alice.dialog.request(outgoing.dialogId, "BYE")
      expect(bye.status).toBe(200)
      expect(yield* alice.next).toEqual({ _tag: "DialogTerminated", dialogId: outgoing.dialogId, reason: "LocalBye" })
      // Bob saw the ACK (DialogConfirmed) before the BYE.
      yield* Effect.sleep("50 millis")
      expect(bobSeen).toEqual(["IncomingInvite", "DialogConfirmed", "DialogTerminated"])
      expect(yield* alice.dialog.counts).toEqual({ dialogs: 0, pendingInvites: 0 })
      expect(yield* bob.dialog.counts).toEqual({ dialogs: 0, pendingInvites: 0 })
    }))

  it.live("SIPp UAC (built-in 'uac': INVITE, 200, ACK, BYE) x3 against an auto-answering DialogLayer", () =>
    Effect.gen(function*() {
      const server = yield* stack
      const seen = yield* autoAnswer(server)
      const result = yield* runSipp(
        ["-sn", "uac", `127.0.0.1:${server.endpoint.port}`, "-i", "127.0.0.1", "-p", "0", "-m", "3", "-r", "3", "-l", "3", "-d", "100", "-timeout", "15", "-timeout_error", "-nostdin"],
        20_000
      )
      expect(result.code, result.output).toBe(0)
      yield* Effect.sleep("100 millis")
      expect(seen.filter((t) => t === "IncomingInvite")).toHaveLength(3)
      expect(seen.filter((t) => t === "DialogConfirmed")).toHaveLength(3)
      expect(seen.filter((t) => t === "DialogTerminated")).toHaveLength(3)
      expect(yield* server.dialog.counts).toEqual({ dialogs: 0, pendingInvites: 0 })
    }))

  it.live("our UAC against SIPp's built-in 'uas' (180, 200, ACK expected, then our BYE answered 200)", () =>
    Effect.gen(function*() {
      const client = yield* stack
      const port = yield* freeUdpPort
      const sipp = yield* runSipp(
        ["-sn", "uas", "-i", "127.0.0.1", "-p", String(port), "-m", "1", "-timeout", "15", "-timeout_error", "-nostdin"],
        20_000
      ).pipe(Effect.forkChild)
      yield* Effect.sleep("500 millis")
      const outgoing = yield* client.dialog.invite({
        target: `sip:service@127.0.0.1:${port}`,
        from: "<sip:caller@127.0.0.1>",
        to: `<sip:service@127.0.0.1:${port}>`,
        destination: { transport: "udp", host: "127.0.0.1", port }
      })
      const progress = yield* Stream.runCollect(outgoing.events)
      expect(progress.map((e) => `${e._tag} ${e.response.status}`)).toEqual(["Provisional 180", "Answered 200"])
      const answered = progress[1]!
      if (answered._tag !== "Answered") return
      // SIPp's uas waits for our ACK before it accepts the BYE: a 200 here proves the ACK was right.
      const bye = yield* client.dialog.request(outgoing.dialogId, "BYE")
      expect(bye.status).toBe(200)
      const result = yield* Fiber.join(sipp)
      expect(result.code, result.output).toBe(0)
      expect(yield* client.dialog.counts).toEqual({ dialogs: 0, pendingInvites: 0 })
    }))
})
