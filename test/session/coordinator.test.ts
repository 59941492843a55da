/**
 * SessionCoordinator on a scripted dialog layer and a socket-free media engine, under TestClock:
 * every state and every ending, scope release (ports back), counts drain to zero.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Fiber, Scope, Exit } from "effect"
import { TestClock } from "effect/testing"
import type { DialogEvent } from "../../src/dialog/dialog-layer.ts"
import { CallDecision } from "../../src/session/call-decision.ts"
import { NetworkError, ProtocolError } from "../../src/errors.ts"
import { okResponse } from "../support/fake-dialog.ts"
import { ended, incoming, invite, offer, sessionOf, settle, setup } from "./coordinator-support.ts"

describe("SessionCoordinator", () => {
  it.effect("answers a call, starts its media when the ACK confirms it (not at the 200), ends on the peer's BYE and releases its ports", () =>
    Effect.gen(function*() {
      const t = yield* setup(() => Effect.succeed(CallDecision.accept()))
      yield* t.emit(incoming())
      const accept = t.control.intents.find((i) => i.op === "accept")
      expect(accept?.body).toContain("m=audio 40002 RTP/AVP 0")
      expect(t.media.sessions[0].applied).toEqual([]) // a caller that never ACKs gets no RTP
      expect(t.seen.map((e) => e._tag)).not.toContain("MediaStarted")
      yield* t.emit({ _tag: "DialogConfirmed", dialogId: "d1", ack: invite(undefined) })
      expect(yield* t.coordinator.state(sessionOf(t.seen))).toBe("Active")
      expect(t.media.sessions[0].applied.map((m) => m.codec.name)).toEqual(["PCMU"])
      expect(t.seen.map((e) => e._tag)).toContain("MediaStarted")
      yield* t.emit({ _tag: "DialogConfirmed", dialogId: "d1", ack: invite(undefined) }) // a retransmitted ACK
      expect(t.media.sessions[0].applied.length).toBe(1)
      yield* t.emit({ _tag: "DialogTerminated", dialogId: "d1", reason: "RemoteBye" })
      expect(ended(t.seen)).toMatchObject({ reason: { _tag: "NormalClearing", by: "remote" } })
      expect(yield* t.coordinator.activeSessions).toBe(0)
      expect(t.media.portsInUse()).toBe(0)
    }))

  it.effect("rejects with the handler's status and frees everything", () =>
    Effect.gen(function*() {
      const t = yield* setup(() => Effect.succeed(CallDecision.reject(486)))
      yield* t.emit(incoming())
      expect(t.control.intents).toContainEqual(expect.objectContaining({ op: "reject", status: 486 }))
      expect(ended(t.seen)).toMatchObject({ reason: { _tag: "Rejected", status: 486 } })
      expect(yield* t.coordinator.activeSessions).toBe(0)
    }))

  it.effect("rings for the configured delay on TestClock, then answers", () =>
    Effect.gen(function*() {
      const t = yield* setup(() => Effect.succeed(CallDecision.accept({ mode: "ring", delayMs: 2000 })))
      yield* t.emit(incoming())
      expect(t.control.intents.map((i) => i.op)).toEqual(["provisional"])
      expect(yield* t.coordinator.state(sessionOf(t.seen))).toBe("Ringing")
      yield* TestClock.adjust(1999)
      expect(t.control.intents.some((i) => i.op === "accept")).toBe(false)
      yield* TestClock.adjust(1)
      yield* settle
      expect(t.control.intents.some((i) => i.op === "accept")).toBe(true)
    }))

  it.effect("§9.2: a CANCEL while ringing ends the call as Cancelled, never answers it, frees the ports", () =>
    Effect.gen(function*() {
      const t = yield* setup(() => Effect.succeed(CallDecision.accept({ mode: "ring", delayMs: 5000 })))
      yield* t.emit(incoming())
      yield* t.emit({ _tag: "InviteCancelled", dialogId: "d1" })
      expect(ended(t.seen)).toMatchObject({ reason: { _tag: "Cancelled" } })
      yield* TestClock.adjust(10_000)
      yield* settle
      expect(t.control.intents.some((i) => i.op === "accept")).toBe(false)
      expect(t.media.portsInUse()).toBe(0)
    }))

  it.effect("early media: 183 with the SDP answer and media before the 200", () =>
    Effect.gen(function*() {
      const t = yield* setup(() => Effect.succeed(CallDecision.accept({ mode: "early-media", delayMs: 1000 })))
      yield* t.emit(incoming())
      expect(t.control.intents[0]).toMatchObject({ op: "provisional", status: 183 })
      expect(t.control.intents[0].body).toContain("m=audio")
      expect(t.media.sessions[0].applied.length).toBe(1)
      expect(yield* t.coordinator.state(sessionOf(t.seen))).toBe("EarlyMedia")
      yield* TestClock.adjust(1000)
      yield* settle
      expect(t.control.intents[1]).toMatchObject({ op: "accept" })
      yield* t.emit({ _tag: "DialogConfirmed", dialogId: "d1", ack: invite(undefined) })
      expect(t.media.sessions[0].applied.length).toBe(1) // already flowing since the 183: not applied again
      expect(yield* t.coordinator.state(sessionOf(t.seen))).toBe("Active")
    }))

  it.effect("RFC 3264: no common codec is answered 488", () =>
    Effect.gen(function*() {
      const t = yield* setup(() => Effect.succeed(CallDecision.accept()))
      yield* t.emit(incoming(offer("18")))
      expect(t.control.intents).toContainEqual(expect.objectContaining({ op: "reject", status: 488 }))
      expect(ended(t.seen)).toMatchObject({ reason: { _tag: "Rejected", status: 488 } })
      expect(t.media.portsInUse()).toBe(0)
    }))

  it.effect("G.722 is never answered (we cannot encode it): a G.722-only caller gets 488; a config or a call naming it is a typed error", () =>
    Effect.gen(function*() {
      const t = yield* setup(() => Effect.succeed(CallDecision.accept()))
      yield* t.emit(incoming(offer("9 101")))
      expect(t.control.intents).toContainEqual(expect.objectContaining({ op: "reject", status: 488 }))
      expect(t.control.intents).not.toContainEqual(expect.objectContaining({ op: "accept" }))
      const badConfig = yield* Effect.flip(setup(() => Effect.succeed(CallDecision.accept()), { codecs: ["PCMU", "G722"] }))
      expect(badConfig).toMatchObject({ _tag: "ApplicationError", reason: "InvalidArgument", message: expect.stringMatching(/G722/) })
      const badCall = yield* Effect.flip(t.coordinator.call({ target: "sip:bob@127.0.0.1:5090", codecs: ["g722"] }))
      expect(badCall).toMatchObject({ _tag: "ApplicationError", reason: "InvalidArgument" })
    }))

  it.effect("refuses calls beyond maxCalls with 486", () =>
    Effect.gen(function*() {
      const t = yield* setup(() => Effect.succeed(CallDecision.defer), { maxCalls: 1 })
      yield* t.emit(incoming())
      yield* t.emit({ ...(incoming() as Extract<DialogEvent, { _tag: "IncomingInvite" }>), dialogId: "d2" })
      expect(t.control.intents).toContainEqual(expect.objectContaining({ op: "reject", id: "d2", status: 486 }))
    }))

  it.effect("hold and resume are re-INVITEs with sendonly then sendrecv; invalid operations are typed errors", () =>
    Effect.gen(function*() {
      const t = yield* setup(() => Effect.succeed(CallDecision.defer))
      yield* t.emit(incoming())
      const id = sessionOf(t.seen)
      const early = yield* Effect.flip(t.coordinator.hold(id))
      expect(early).toMatchObject({ _tag: "ApplicationError", reason: "InvalidState" })
      yield* t.coordinator.accept(id)
      yield* t.emit({ _tag: "DialogConfirmed", dialogId: "d1", ack: invite(undefined) })
      t.control.answerRequest = (_method, body) =>
        okResponse(offer("0 101", body?.includes("a=sendonly") ? "recvonly" : "sendrecv"))
      yield* t.coordinator.hold(id)
      const reinvite = t.control.intents.find((i) => i.op === "request" && i.method === "INVITE")
      expect(reinvite?.body).toContain("a=sendonly")
      expect(yield* t.coordinator.state(id)).toBe("OnHold")
      yield* t.coordinator.resume(id)
      expect(yield* t.coordinator.state(id)).toBe("Active")
      yield* t.coordinator.end(id)
      expect(t.control.intents.at(-1)).toMatchObject({ op: "request", method: "BYE" })
      const gone = yield* Effect.flip(t.coordinator.end(id))
      expect(gone).toMatchObject({ _tag: "ApplicationError", reason: "NoSuchSession" })
    }))

  it.effect("the peer's hold re-INVITE (sendonly) is answered recvonly and the call is OnHold", () =>
    Effect.gen(function*() {
      const t = yield* setup(() => Effect.succeed(CallDecision.accept()))
      yield* t.emit(incoming())
      yield* t.emit({ _tag: "DialogConfirmed", dialogId: "d1", ack: invite(undefined) })
      yield* t.emit({ _tag: "ReinviteReceived", dialogId: "d1", requestId: "t2", request: invite(offer("0", "sendonly")) })
      const answer = t.control.intents.find((i) => i.op === "respond" && i.id === "t2")
      expect(answer?.status).toBe(200)
      expect(answer?.body).toContain("a=recvonly")
      expect(yield* t.coordinator.state(sessionOf(t.seen))).toBe("OnHold")
    }))

  it.effect("late offer: our offer goes in the 200, the answer in the ACK starts the media", () =>
    Effect.gen(function*() {
      const t = yield* setup(() => Effect.succeed(CallDecision.accept()))
      yield* t.emit(incoming(null))
      const accept = t.control.intents.find((i) => i.op === "accept")
      expect(accept?.body).toContain("a=rtpmap:0 PCMU/8000")
      expect(t.media.sessions[0].applied.length).toBe(0)
      yield* t.emit({ _tag: "DialogConfirmed", dialogId: "d1", ack: invite(offer("0 101")) })
      expect(t.media.sessions[0].applied[0].remotePort).toBe(30000)
    }))

  it.effect("DTMF from media becomes a SessionEvent", () =>
    Effect.gen(function*() {
      const t = yield* setup(() => Effect.succeed(CallDecision.accept()))
      yield* t.emit(incoming())
      yield* t.media.sessions[0].inject({ _tag: "DtmfReceived", digit: "5", durationMs: 100 })
      yield* settle
      expect(t.seen).toContainEqual(expect.objectContaining({ _tag: "DtmfReceived", digit: "5" }))
    }))

  it.effect("§13.3.1.4: no ACK ends the call as TimedOut; shutdown ends active calls with BYE", () =>
    Effect.gen(function*() {
      const t = yield* setup(() => Effect.succeed(CallDecision.accept()))
      yield* t.emit(incoming())
      yield* t.emit({ _tag: "DialogTerminated", dialogId: "d1", reason: "AckTimeout" })
      expect(ended(t.seen)).toMatchObject({ reason: { _tag: "TimedOut", what: "ack" } })
      yield* t.emit({ ...(incoming() as Extract<DialogEvent, { _tag: "IncomingInvite" }>), dialogId: "d9" })
      yield* t.emit({ _tag: "DialogConfirmed", dialogId: "d9", ack: invite(undefined) })
      const closing = yield* Scope.close(t.scope, Exit.void).pipe(Effect.forkChild)
      yield* settle
      yield* Fiber.join(closing)
      expect(t.control.intents.at(-1)).toMatchObject({ op: "request", method: "BYE", id: "d9" })
      expect(t.media.portsInUse()).toBe(0)
    }))

  it.effect("RFC 3264: a late-offer call whose ACK carries no answer failed its exchange: BYE, ended Failed", () =>
    Effect.gen(function*() {
      const t = yield* setup(() => Effect.succeed(CallDecision.accept()))
      yield* t.emit(incoming(null))
      expect(t.control.intents.find((i) => i.op === "accept")?.body).toContain("m=audio")
      yield* t.emit({ _tag: "DialogConfirmed", dialogId: "d1", ack: invite(undefined) })
      expect(t.control.intents.at(-1)).toMatchObject({ op: "request", method: "BYE", id: "d1" })
      expect(ended(t.seen)).toMatchObject({ reason: { _tag: "Failed", message: "no SDP answer in the ACK" } })
      expect(t.media.sessions[0].applied).toEqual([])
      expect(yield* t.coordinator.activeSessions).toBe(0)
      yield* settle
      expect(t.media.portsInUse()).toBe(0)
    }))

  it.effect("silence bound: an answered call that hears no RTP and no SIP for mediaTimeoutMs ends with BYE (TimedOut media); SIP resets it", () =>
    Effect.gen(function*() {
      const t = yield* setup(() => Effect.succeed(CallDecision.accept()), { mediaTimeoutMs: 8000 })
      yield* t.emit(incoming())
      yield* t.emit({ _tag: "DialogConfirmed", dialogId: "d1", ack: invite(undefined) })
      yield* TestClock.adjust(6000)
      yield* settle
      // A re-INVITE is SIP from the peer: the silence starts again.
      yield* t.emit({ _tag: "ReinviteReceived", dialogId: "d1", requestId: "t2", request: invite(offer("0")) })
      yield* TestClock.adjust(6000)
      yield* settle
      expect(ended(t.seen)).toBeUndefined()
      yield* TestClock.adjust(4000)
      yield* settle
      expect(t.control.intents.at(-1)).toMatchObject({ op: "request", method: "BYE", id: "d1" })
      expect(ended(t.seen)).toMatchObject({ reason: { _tag: "TimedOut", what: "media" } })
      expect(yield* t.coordinator.activeSessions).toBe(0)
    }))

  it.effect("silence bound: a call without media (deferred, never answered, no ring timeout) ends too", () =>
    Effect.gen(function*() {
      const t = yield* setup(() => Effect.succeed(CallDecision.defer), { mediaTimeoutMs: 8000 })
      yield* t.emit(incoming())
      yield* TestClock.adjust(7000)
      yield* settle
      expect(ended(t.seen)).toBeUndefined()
      yield* TestClock.adjust(3000)
      yield* settle
      expect(t.control.intents.at(-1)).toMatchObject({ op: "reject", id: "d1", status: 480 })
      expect(ended(t.seen)).toMatchObject({ reason: { _tag: "TimedOut", what: "media" } })
    }))

  it.effect("a network failure under hold stays a NetworkError with its reason; under end the call still ends", () =>
    Effect.gen(function*() {
      const t = yield* setup(() => Effect.succeed(CallDecision.accept()))
      yield* t.emit(incoming())
      yield* t.emit({ _tag: "DialogConfirmed", dialogId: "d1", ack: invite(undefined) })
      const id = sessionOf(t.seen)
      t.control.failRequest = new NetworkError({ reason: "SendFailed", address: "10.0.0.9:5061", message: "EHOSTUNREACH" })
      const held = yield* Effect.flip(t.coordinator.hold(id))
      expect(held).toMatchObject({ _tag: "NetworkError", reason: "SendFailed", address: "10.0.0.9:5061" })
      expect(yield* t.coordinator.state(id)).toBe("Active") // the old session stays (RFC 3264 §8)
      t.control.failRequest = new ProtocolError({ reason: "TransactionTimeout", message: "Timer F" })
      const hungUp = yield* Effect.flip(t.coordinator.end(id))
      expect(hungUp).toMatchObject({ _tag: "ProtocolError", reason: "TransactionTimeout" })
      expect(ended(t.seen)).toMatchObject({ reason: { _tag: "NormalClearing", by: "local" } })
      expect(yield* t.coordinator.activeSessions).toBe(0)
    }))
})
