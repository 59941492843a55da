/**
 * UPDATE (RFC 3311) in a call, both directions, and glare (RFC 3261 §14.1): the peer's UPDATE with and
 * without SDP, early and confirmed, its 491/500 refusals; ours with and without SDP; a re-offer that
 * meets 491 is sent again after the random interval (TestClock), a bounded number of times.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Fiber } from "effect"
import { TestClock } from "effect/testing"
import type { DialogEvent } from "../../src/dialog/dialog-layer.ts"
import { CallDecision } from "../../src/session/call-decision.ts"
import { GLARE_RETRIES } from "../../src/session/in-call.ts"
import { makeRequest } from "../../src/sip/index.ts"
import type { SipResponse } from "../../src/sip/message.ts"
import { okResponse } from "../support/fake-dialog.ts"
import { incoming, invite, offer, sessionOf, settle, setup } from "./coordinator-support.ts"

const update = (requestId: string, sdp?: string): DialogEvent => ({
  _tag: "ReinviteReceived",
  dialogId: "d1",
  requestId,
  request: makeRequest({
    method: "UPDATE",
    uri: "sip:service@127.0.0.1:5060",
    headers: [
      ["Via", "SIP/2.0/UDP 10.0.0.9:5061;branch=z9hG4bK-u"],
      ["From", "<sip:alice@10.0.0.9>;tag=a1"],
      ["To", "<sip:service@127.0.0.1>;tag=b1"],
      ["Call-ID", "call-1@10.0.0.9"],
      ["CSeq", "3 UPDATE"],
      ["Contact", "<sip:alice@10.0.0.9:5061>"],
      ...(sdp === undefined ? [] : [["Content-Type", "application/sdp"] as [string, string]])
    ],
    ...(sdp === undefined ? {} : { body: Buffer.from(sdp, "latin1") })
  })
})

const glare: SipResponse = { _tag: "SipResponse", status: 491, reason: "Request Pending", headers: [], body: new Uint8Array(0) }

const activeCall = Effect.gen(function*() {
  const t = yield* setup(() => Effect.succeed(CallDecision.accept()))
  yield* t.emit(incoming())
  yield* t.emit({ _tag: "DialogConfirmed", dialogId: "d1", ack: invite(undefined) })
  return { ...t, id: sessionOf(t.seen) }
})

const answerOf = (t: { control: { intents: ReadonlyArray<{ op: string; id: string }> } }, id: string) =>
  t.control.intents.find((i) => i.op === "respond" && i.id === id) as { status?: number; body?: string; headers?: unknown } | undefined

describe("the peer's UPDATE", () => {
  it.effect("without SDP: 200 without a body, the session unchanged", () =>
    Effect.gen(function*() {
      const t = yield* activeCall
      yield* t.emit(update("u1"))
      expect(answerOf(t, "u1")).toMatchObject({ status: 200, body: undefined })
      expect(yield* t.coordinator.state(t.id)).toBe("Active")
    }))

  it.effect("with an offer in a confirmed dialog: answered in the 200 (sendonly → recvonly), the call OnHold, media applied", () =>
    Effect.gen(function*() {
      const t = yield* activeCall
      const applied = t.media.sessions[0].applied.length
      yield* t.emit(update("u2", offer("0", "sendonly")))
      expect(answerOf(t, "u2")?.status).toBe(200)
      expect(answerOf(t, "u2")?.body).toContain("a=recvonly")
      expect(yield* t.coordinator.state(t.id)).toBe("OnHold")
      expect(t.media.sessions[0].applied.length).toBe(applied + 1)
      yield* t.emit(update("u3", offer("0")))
      expect(yield* t.coordinator.state(t.id)).toBe("Active")
    }))

  it.effect("with an offer in the early dialog after our 183 answer: answered 200, still EarlyMedia", () =>
    Effect.gen(function*() {
      const t = yield* setup(() => Effect.succeed(CallDecision.accept({ mode: "early-media", delayMs: 1000 })))
      yield* t.emit(incoming())
      yield* t.emit(update("u4", offer("8")))
      expect(answerOf(t, "u4")?.status).toBe(200)
      expect(answerOf(t, "u4")?.body).toContain("RTP/AVP 8")
      expect(yield* t.coordinator.state(sessionOf(t.seen))).toBe("EarlyMedia")
    }))

  it.effect("§5.2: an offer while the INVITE's offer is unanswered → 500 with Retry-After; while ours is out → 491", () =>
    Effect.gen(function*() {
      const t = yield* setup(() => Effect.succeed(CallDecision.defer))
      yield* t.emit(incoming())
      yield* t.emit(update("u5", offer("0")))
      expect(answerOf(t, "u5")?.status).toBe(500)
      expect(t.control.intents.find((i) => i.id === "u5")).toBeDefined()
      const id = sessionOf(t.seen)
      yield* t.coordinator.accept(id)
      yield* t.emit({ _tag: "DialogConfirmed", dialogId: "d1", ack: invite(undefined) })
      // A body-less re-INVITE: we offer in our 200 and await the answer in the ACK.
      yield* t.emit({ _tag: "ReinviteReceived", dialogId: "d1", requestId: "r1", request: invite(undefined) })
      expect(answerOf(t, "r1")?.body).toContain("m=audio")
      yield* t.emit(update("u6", offer("0")))
      expect(answerOf(t, "u6")?.status).toBe(491)
      // A body-less UPDATE is no offer: still 200.
      yield* t.emit(update("u7"))
      expect(answerOf(t, "u7")?.status).toBe(200)
    }))

  it.effect("an offer with no codec in common → 488, the call unchanged", () =>
    Effect.gen(function*() {
      const t = yield* activeCall
      yield* t.emit(update("u8", offer("18")))
      expect(answerOf(t, "u8")?.status).toBe(488)
      expect(yield* t.coordinator.state(t.id)).toBe("Active")
    }))
})

describe("our UPDATE", () => {
  it.effect("update(): an UPDATE with a new offer, its answer applied; { sdp: false }: a body-less UPDATE", () =>
    Effect.gen(function*() {
      const t = yield* activeCall
      t.control.answerRequest = () => okResponse(offer("0 101"))
      const applied = t.media.sessions[0].applied.length
      yield* t.coordinator.update(t.id)
      const sent = t.control.intents.filter((i) => i.op === "request" && i.method === "UPDATE")
      expect(sent[0]?.body).toContain("a=sendrecv")
      expect(t.media.sessions[0].applied.length).toBe(applied + 1)
      t.control.answerRequest = () => okResponse()
      yield* t.coordinator.update(t.id, { sdp: false })
      expect(t.control.intents.at(-1)).toMatchObject({ op: "request", method: "UPDATE", body: undefined })
      expect(yield* t.coordinator.state(t.id)).toBe("Active")
    }))

  it.effect("§5.1: as the callee in the early dialog after our 183 answer: an UPDATE with a new offer, still EarlyMedia, then the 200", () =>
    Effect.gen(function*() {
      const t = yield* setup(() => Effect.succeed(CallDecision.accept({ mode: "early-media", delayMs: 1000 })))
      yield* t.emit(incoming())
      const id = sessionOf(t.seen)
      expect(yield* t.coordinator.state(id)).toBe("EarlyMedia")
      t.control.answerRequest = () => okResponse(offer("8"))
      const applied = t.media.sessions[0].applied.length
      yield* t.coordinator.update(id)
      const sent = t.control.intents.filter((i) => i.op === "request" && i.method === "UPDATE")
      expect(sent).toHaveLength(1)
      expect(sent[0]?.body).toContain("m=audio")
      expect(t.media.sessions[0].applied.length).toBe(applied + 1)
      expect(yield* t.coordinator.state(id)).toBe("EarlyMedia")
      yield* TestClock.adjust("1 second")
      yield* settle
      expect(t.control.intents.some((i) => i.op === "accept")).toBe(true)
      yield* t.emit({ _tag: "DialogConfirmed", dialogId: "d1", ack: invite(undefined) })
      expect(yield* t.coordinator.state(id)).toBe("Active")
    }))

  it.effect("before the call is answered, update() is InvalidState", () =>
    Effect.gen(function*() {
      const t = yield* setup(() => Effect.succeed(CallDecision.defer))
      yield* t.emit(incoming())
      const error = yield* Effect.flip(t.coordinator.update(sessionOf(t.seen)))
      expect(error).toMatchObject({ _tag: "ApplicationError", reason: "InvalidState" })
    }))
})

describe("glare (RFC 3261 §14.1)", () => {
  it.effect("hold that meets 491 is sent again within 0–2 s (we do not own the Call-ID) and succeeds", () =>
    Effect.gen(function*() {
      const t = yield* activeCall
      let answers = 0
      t.control.answerRequest = (_method, body) =>
        ++answers === 1 ? glare : okResponse(offer("0 101", body?.includes("a=sendonly") ? "recvonly" : "sendrecv"))
      const hold = yield* t.coordinator.hold(t.id).pipe(Effect.forkChild)
      yield* settle
      expect(answers).toBe(1)
      expect(yield* t.coordinator.state(t.id)).toBe("Active")
      yield* TestClock.adjust("2 seconds")
      yield* settle
      yield* Fiber.join(hold)
      expect(answers).toBe(2)
      expect(yield* t.coordinator.state(t.id)).toBe("OnHold")
      const reinvites = t.control.intents.filter((i) => i.op === "request" && i.method === "INVITE")
      expect(reinvites.map((i) => i.body?.includes("a=sendonly"))).toEqual([true, true])
    }))

  it.effect("an UPDATE that keeps meeting 491 gives up after the bounded retries, the call unchanged", () =>
    Effect.gen(function*() {
      const t = yield* activeCall
      t.control.answerRequest = () => glare
      const attempt = yield* t.coordinator.update(t.id).pipe(Effect.flip, Effect.forkChild)
      for (let i = 0; i < GLARE_RETRIES; i++) {
        yield* settle
        yield* TestClock.adjust("2 seconds")
      }
      const error = yield* Fiber.join(attempt)
      expect(error).toMatchObject({ _tag: "ApplicationError", reason: "Rejected" })
      expect(t.control.intents.filter((i) => i.op === "request" && i.method === "UPDATE").length).toBe(GLARE_RETRIES + 1)
      expect(yield* t.coordinator.state(t.id)).toBe("Active")
      // The exchange is closed again: a new offer is possible.
      t.control.answerRequest = () => okResponse(offer("0 101"))
      yield* t.coordinator.update(t.id)
    }))
})
