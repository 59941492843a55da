/**
 * MESSAGE (RFC 3428) on the coordinator: the peer's, outside a call and in one, reaches the application
 * as MessageReceived after a 200; a body over maxMessageBytes gets 413; sendMessage sends one outside
 * any call and turns a refusal into a typed error.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import type { DialogEvent } from "../../src/dialog/dialog-layer.ts"
import { CallDecision } from "../../src/session/call-decision.ts"
import { makeRequest } from "../../src/sip/index.ts"
import type { SipResponse } from "../../src/sip/message.ts"
import { incoming, invite, sessionOf, setup } from "./coordinator-support.ts"

const message = (requestId: string, dialogId: string | undefined, body: string): DialogEvent => ({
  _tag: "MessageReceived",
  dialogId,
  requestId,
  request: makeRequest({
    method: "MESSAGE",
    uri: "sip:service@127.0.0.1:5060",
    headers: [
      ["Via", "SIP/2.0/UDP 10.0.0.9:5061;branch=z9hG4bK-m"],
      ["From", "<sip:alice@10.0.0.9>;tag=a9"],
      ["To", "<sip:service@127.0.0.1>"],
      ["Call-ID", "msg-1@10.0.0.9"],
      ["CSeq", "1 MESSAGE"],
      ["Content-Type", "text/plain"]
    ],
    body: Buffer.from(body)
  })
})

describe("MESSAGE (RFC 3428)", () => {
  it.effect("outside a call: 200, then MessageReceived with the sender and the body; in a call it names the session", () =>
    Effect.gen(function*() {
      const t = yield* setup(() => Effect.succeed(CallDecision.accept()), { maxMessageBytes: 16 })
      yield* t.emit(message("m1", undefined, "hello"))
      expect(t.control.intents).toContainEqual(expect.objectContaining({ op: "respond", id: "m1", status: 200 }))
      const first = t.seen.find((e) => e._tag === "MessageReceived")
      expect(first).toMatchObject({ sessionId: undefined, from: "<sip:alice@10.0.0.9>;tag=a9", contentType: "text/plain" })
      if (first?._tag === "MessageReceived") expect(Buffer.from(first.body).toString()).toBe("hello")
      yield* t.emit(incoming())
      yield* t.emit({ _tag: "DialogConfirmed", dialogId: "d1", ack: invite(undefined) })
      yield* t.emit(message("m2", "d1", "in call"))
      expect(t.seen.filter((e) => e._tag === "MessageReceived").at(-1)).toMatchObject({ sessionId: sessionOf(t.seen) })
      // A dialog we do not know: 481.
      yield* t.emit(message("m3", "gone", "x"))
      expect(t.control.intents).toContainEqual(expect.objectContaining({ op: "respond", id: "m3", status: 481 }))
    }))

  it.effect("a body over maxMessageBytes gets 413 and is not told", () =>
    Effect.gen(function*() {
      const t = yield* setup(() => Effect.succeed(CallDecision.accept()), { maxMessageBytes: 16 })
      yield* t.emit(message("m4", undefined, "x".repeat(17)))
      expect(t.control.intents).toContainEqual(expect.objectContaining({ op: "respond", id: "m4", status: 413 }))
      expect(t.seen.some((e) => e._tag === "MessageReceived")).toBe(false)
    }))

  it.effect("sendMessage: a MESSAGE outside any call; a non-2xx is Rejected; a non-SIP URI InvalidArgument", () =>
    Effect.gen(function*() {
      const t = yield* setup(() => Effect.succeed(CallDecision.accept()))
      yield* t.coordinator.sendMessage("sip:bob@127.0.0.1:5090", "text/plain", "hi bob")
      expect(t.control.intents.at(-1)).toMatchObject({ op: "request", id: "sip:bob@127.0.0.1:5090", method: "MESSAGE", body: "hi bob" })
      t.control.answerRequest = (): SipResponse => ({ _tag: "SipResponse", status: 404, reason: "Not Found", headers: [], body: new Uint8Array(0) })
      const refused = yield* Effect.flip(t.coordinator.sendMessage("sip:nobody@127.0.0.1:5090", "text/plain", "x"))
      expect(refused).toMatchObject({ _tag: "ApplicationError", reason: "Rejected" })
      const bad = yield* Effect.flip(t.coordinator.sendMessage("just some words", "text/plain", "x"))
      expect(bad).toMatchObject({ _tag: "ApplicationError", reason: "InvalidArgument" })
    }))

  it.effect("sendMessage({ sessionId }): a MESSAGE inside the established call's dialog; before it, InvalidState", () =>
    Effect.gen(function*() {
      const t = yield* setup(() => Effect.succeed(CallDecision.defer))
      yield* t.emit(incoming())
      const id = sessionOf(t.seen)
      const early = yield* Effect.flip(t.coordinator.sendMessage({ sessionId: id }, "text/plain", "too soon"))
      expect(early).toMatchObject({ _tag: "ApplicationError", reason: "InvalidState" })
      yield* t.coordinator.accept(id)
      yield* t.emit({ _tag: "DialogConfirmed", dialogId: "d1", ack: invite(undefined) })
      yield* t.coordinator.sendMessage({ sessionId: id }, "text/plain", "in the call")
      expect(t.control.intents.at(-1)).toMatchObject({ op: "request", id: "d1", method: "MESSAGE", body: "in the call" })
      t.control.answerRequest = (): SipResponse => ({ _tag: "SipResponse", status: 488, reason: "Not Acceptable Here", headers: [], body: new Uint8Array(0) })
      const refused = yield* Effect.flip(t.coordinator.sendMessage({ sessionId: id }, "text/plain", "x"))
      expect(refused).toMatchObject({ _tag: "ApplicationError", reason: "Rejected" })
    }))
})
