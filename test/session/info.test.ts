/**
 * INFO in a call (RFC 6086) and DTMF over INFO: the peer's INFO is answered 200 and told to the
 * application (InfoReceived, or DtmfReceived with source "info"); ours go out through the dialog layer.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import type { DialogEvent } from "../../src/dialog/dialog-layer.ts"
import { CallDecision } from "../../src/session/call-decision.ts"
import { dtmfOf } from "../../src/session/info.ts"
import { makeRequest } from "../../src/sip/index.ts"
import type { SipResponse } from "../../src/sip/message.ts"
import { incoming, invite, sessionOf, setup } from "./coordinator-support.ts"

const info = (requestId: string, contentType: string | undefined, body: string): DialogEvent => ({
  _tag: "InfoReceived",
  dialogId: "d1",
  requestId,
  request: makeRequest({
    method: "INFO",
    uri: "sip:service@127.0.0.1:5060",
    headers: [
      ["Via", "SIP/2.0/UDP 10.0.0.9:5061;branch=z9hG4bK-9"],
      ["From", "<sip:alice@10.0.0.9>;tag=a1"],
      ["To", "<sip:service@127.0.0.1>;tag=b1"],
      ["Call-ID", "call-1@10.0.0.9"],
      ["CSeq", "2 INFO"],
      ...(contentType === undefined ? [] : [["Content-Type", contentType] as [string, string]])
    ],
    body: Buffer.from(body)
  })
})

const answered = (status: number): SipResponse => ({ _tag: "SipResponse", status, reason: "Nope", headers: [], body: new Uint8Array(0) })

const activeCall = Effect.gen(function*() {
  const t = yield* setup(() => Effect.succeed(CallDecision.accept()))
  yield* t.emit(incoming())
  yield* t.emit({ _tag: "DialogConfirmed", dialogId: "d1", ack: invite(undefined) })
  return { ...t, id: sessionOf(t.seen) }
})

describe("DTMF bodies", () => {
  it("application/dtmf-relay and application/dtmf are read; anything else is no digit", () => {
    const b = (s: string) => Buffer.from(s)
    expect(dtmfOf("application/dtmf-relay", b("Signal=5\r\nDuration=250\r\n"))).toEqual({ digit: "5", durationMs: 250 })
    expect(dtmfOf("Application/DTMF-Relay; charset=x", b("signal = #\nduration=100"))).toEqual({ digit: "#", durationMs: 100 })
    expect(dtmfOf("application/dtmf-relay", b("Signal=*"))).toEqual({ digit: "*", durationMs: 160 })
    expect(dtmfOf("application/dtmf", b("9\r\n"))).toEqual({ digit: "9", durationMs: 160 })
    expect(dtmfOf("application/dtmf-relay", b("Signal=16\r\nDuration=100"))).toBeUndefined()
    expect(dtmfOf("application/dtmf-relay", b("Duration=100"))).toBeUndefined()
    expect(dtmfOf("application/dtmf", b("hello"))).toBeUndefined()
    expect(dtmfOf("text/plain", b("5"))).toBeUndefined()
  })
})

describe("INFO in a call", () => {
  it.effect("the peer's INFO is answered 200; a DTMF body is DtmfReceived (source info), another body InfoReceived", () =>
    Effect.gen(function*() {
      const t = yield* activeCall
      yield* t.emit(info("i1", "application/dtmf-relay", "Signal=7\r\nDuration=120\r\n"))
      yield* t.emit(info("i2", "application/dtmf", "#"))
      yield* t.emit(info("i3", "application/x-custom", "hello"))
      yield* t.emit(info("i4", undefined, ""))
      for (const id of ["i1", "i2", "i3", "i4"]) {
        expect(t.control.intents).toContainEqual(expect.objectContaining({ op: "respond", id, status: 200 }))
      }
      const dtmf = t.seen.filter((e) => e._tag === "DtmfReceived")
      expect(dtmf).toEqual([
        { _tag: "DtmfReceived", sessionId: t.id, digit: "7", durationMs: 120, source: "info" },
        { _tag: "DtmfReceived", sessionId: t.id, digit: "#", durationMs: 160, source: "info" }
      ])
      const infos = t.seen.filter((e) => e._tag === "InfoReceived")
      expect(infos.map((e) => e._tag === "InfoReceived" && [e.contentType, Buffer.from(e.body).toString()])).toEqual([
        ["application/x-custom", "hello"],
        ["", ""]
      ])
    }))

  it.effect("an INFO for a call we no longer know is answered 481", () =>
    Effect.gen(function*() {
      const t = yield* activeCall
      yield* t.emit({ ...(info("i9", "text/plain", "x") as Extract<DialogEvent, { _tag: "InfoReceived" }>), dialogId: "gone" })
      expect(t.control.intents).toContainEqual(expect.objectContaining({ op: "respond", id: "i9", status: 481 }))
    }))

  it.effect("sendInfo sends an INFO in the dialog; a non-2xx answer is a Rejected error; before the answer it is InvalidState", () =>
    Effect.gen(function*() {
      const t = yield* setup(() => Effect.succeed(CallDecision.defer))
      yield* t.emit(incoming())
      const id = sessionOf(t.seen)
      const early = yield* Effect.flip(t.coordinator.sendInfo(id, "text/plain", "hi"))
      expect(early).toMatchObject({ _tag: "ApplicationError", reason: "InvalidState" })
      yield* t.coordinator.accept(id)
      yield* t.emit({ _tag: "DialogConfirmed", dialogId: "d1", ack: invite(undefined) })
      yield* t.coordinator.sendInfo(id, "application/x-custom", "payload")
      expect(t.control.intents.at(-1)).toMatchObject({ op: "request", id: "d1", method: "INFO", body: "payload" })
      t.control.answerRequest = () => answered(415)
      const refused = yield* Effect.flip(t.coordinator.sendInfo(id, "text/plain", "x"))
      expect(refused).toMatchObject({ _tag: "ApplicationError", reason: "Rejected" })
    }))

  it.effect("the DTMF method chosen for the call (AcceptOptions.dtmf) is sendDtmf's default", () =>
    Effect.gen(function*() {
      const t = yield* setup(() => Effect.succeed(CallDecision.accept({ dtmf: "info" })))
      yield* t.emit(incoming())
      yield* t.emit({ _tag: "DialogConfirmed", dialogId: "d1", ack: invite(undefined) })
      yield* t.coordinator.sendDtmf(sessionOf(t.seen), "4")
      expect(t.control.intents.at(-1)).toMatchObject({ op: "request", method: "INFO", body: "Signal=4\r\nDuration=160\r\n" })
    }))

  it.effect("sendDtmf over INFO: one application/dtmf-relay INFO per digit, in order; a bad digit sends nothing", () =>
    Effect.gen(function*() {
      const t = yield* activeCall
      yield* t.coordinator.sendDtmf(t.id, "1*#", "info")
      const sent = t.control.intents.filter((i) => i.op === "request" && i.method === "INFO").map((i) => i.body)
      expect(sent).toEqual(["Signal=1\r\nDuration=160\r\n", "Signal=*\r\nDuration=160\r\n", "Signal=#\r\nDuration=160\r\n"])
      const bad = yield* Effect.flip(t.coordinator.sendDtmf(t.id, "1x", "info"))
      expect(bad).toMatchObject({ _tag: "ApplicationError", reason: "InvalidArgument" })
      expect(t.control.intents.filter((i) => i.op === "request" && i.method === "INFO").length).toBe(3)
    }))
})
