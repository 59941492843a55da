/**
 * SIP extensions against real SIPp on 127.0.0.1: each scenario in sipp/ plays the peer against one
 * SipStack whose application reacts as the scenario expects. SIPp's exit code is the verdict; the
 * events the application saw are checked too.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Stream } from "effect"
import * as Path from "node:path"
import { CallDecision, SessionCoordinator, type SessionEvent, SipStack } from "../../src/index.ts"
import { runProcess, runSipp, sippPath } from "../support/run-process.ts"
import { waitForEvent } from "../support/wait-for-event.ts"
import { freePorts, udpBound } from "../api/sipp-ports.ts"

const root = Path.resolve(import.meta.dirname, "../..")
const rtpBase = 54000 + 2 * Math.floor(Math.random() * 50)
const timers = { t1: 50, t2: 400, t4: 500 }

let slot = 0
/** A stack on its own RTP ports whose application answers every call with `decision`. */
const stackLayer = (decision: CallDecision = CallDecision.accept({ media: { _tag: "Silence" } }), require100rel?: boolean) => {
  const ports = rtpBase + 20 * (slot++ % 20)
  return SipStack.layer({
    host: "127.0.0.1", port: 0, rtpPortMin: ports, rtpPortMax: ports + 19, mediaTimeoutMs: 0, timers,
    handler: () => Effect.succeed(decision),
    ...(require100rel === undefined ? {} : { require100rel })
  })
}

/** Run `scenario` (a UAC) against the stack, with `react` called on every session event. */
const play = (scenario: string, react: (calls: SessionCoordinator["Service"], e: SessionEvent) => Effect.Effect<void, unknown>) =>
  Effect.gen(function*() {
    const stack = yield* SipStack
    const calls = yield* SessionCoordinator
    const seen: Array<SessionEvent> = []
    yield* Stream.runForEach(yield* calls.subscribe, (e) =>
      Effect.andThen(Effect.sync(() => void seen.push(e)), react(calls, e).pipe(Effect.ignore))).pipe(Effect.forkScoped)
    const [port, media] = freePorts(2)
    const result = yield* runSipp([
      `127.0.0.1:${stack.local[0].port}`, "-sf", Path.join(root, "sipp", scenario), "-s", "service", "-m", "1",
      "-i", "127.0.0.1", "-p", String(port), "-mi", "127.0.0.1", "-mp", String(media),
      "-timeout", "20s", "-timeout_error", "-nostdin"
    ], 30_000)
    expect(result.code, result.output).toBe(0)
    yield* waitForEvent(seen, (e) => e._tag === "CallEnded")
    return seen
  })

/** As the caller against sipp/client/early_update_message.xml: Require: 100rel (by `options` or the stack's
 *  config), an UPDATE in the early dialog after the PRACKed 183, then a MESSAGE inside the call. */
const earlyUpdateThenMessage = (options: { readonly require100rel?: boolean }) =>
  Effect.gen(function*() {
    const calls = yield* SessionCoordinator
    const seen: Array<SessionEvent> = []
    yield* Stream.runForEach(yield* calls.subscribe, (e) => Effect.sync(() => void seen.push(e))).pipe(Effect.forkScoped)
    const [port, media] = freePorts(2)
    const callee = runProcess(sippPath, [
      "-sf", Path.join(root, "sipp/client/early_update_message.xml"), "-i", "127.0.0.1", "-p", String(port), "-m", "1",
      "-mi", "127.0.0.1", "-mp", String(media), "-timeout", "20s", "-timeout_error", "-nostdin"
    ], 30_000)
    expect(yield* Effect.promise(() => udpBound(port))).toBe(true)
    const id = yield* calls.call({ target: `sip:bob@127.0.0.1:${port}`, ...options })
    yield* waitForEvent(seen, (e) => e._tag === "StateChanged" && e.to === "EarlyMedia")
    yield* calls.update(id)
    expect(yield* calls.state(id)).toBe("EarlyMedia")
    yield* waitForEvent(seen, (e) => e._tag === "StateChanged" && e.to === "Active")
    yield* calls.sendMessage({ sessionId: id }, "text/plain", "hello in the call")
    yield* calls.end(id)
    const result = yield* Effect.promise(() => callee)
    expect(result.code, result.output).toBe(0)
    expect(seen.flatMap((e) => e._tag === "StateChanged" ? [e.to] : [])).toEqual(["EarlyMedia", "Active", "Terminating", "Terminated"])
  })

describe("SIP extensions against SIPp", () => {
  it.live("INFO (RFC 6086): DTMF both ways (dtmf-relay, dtmf) and a custom body reach the application", () =>
    Effect.gen(function*() {
      const seen = yield* play("info_dtmf.xml", (calls, e) =>
        e._tag === "DtmfReceived" && e.digit === "#" ? calls.sendDtmf(e.sessionId, "9", "info") : Effect.void)
      const digits = seen.flatMap((e) => e._tag === "DtmfReceived" ? [[e.digit, e.source]] : [])
      expect(digits).toEqual([["5", "info"], ["#", "info"]])
      const info = seen.find((e) => e._tag === "InfoReceived")
      expect(info).toMatchObject({ contentType: "application/x-custom" })
      if (info?._tag === "InfoReceived") expect(Buffer.from(info.body).toString()).toContain("hello from sipp")
    }).pipe(Effect.scoped, Effect.provide(stackLayer())), 40_000)

  it.live("UPDATE mid-call (RFC 3311): an offer to hold answered recvonly, a body-less refresh 200, an offer to resume", () =>
    Effect.gen(function*() {
      const seen = yield* play("update.xml", () => Effect.void)
      const states = seen.flatMap((e) => e._tag === "StateChanged" ? [e.to] : [])
      expect(states).toEqual(["Active", "OnHold", "Active", "Terminated"])
    }).pipe(Effect.scoped, Effect.provide(stackLayer())), 40_000)

  it.live("UPDATE in the early dialog after our 183 with SDP: answered 200 with the new codec, then the call goes on", () =>
    Effect.gen(function*() {
      const seen = yield* play("update_early.xml", () => Effect.void)
      const states = seen.flatMap((e) => e._tag === "StateChanged" ? [e.to] : [])
      expect(states).toEqual(["EarlyMedia", "Active", "Terminated"])
    }).pipe(Effect.scoped, Effect.provide(stackLayer(CallDecision.accept({ mode: "early-media", delayMs: 1500, media: { _tag: "Silence" } })))), 40_000)

  it.live("glare (§14.1): our hold re-INVITE meets 491, is sent again within 2 s and succeeds", () =>
    Effect.gen(function*() {
      const seen = yield* play("glare.xml", (calls, e) =>
        e._tag === "StateChanged" && e.to === "Active" ? calls.hold(e.sessionId).pipe(Effect.forkDetach, Effect.asVoid) : Effect.void)
      const states = seen.flatMap((e) => e._tag === "StateChanged" ? [e.to] : [])
      expect(states).toEqual(["Active", "OnHold", "Terminated"])
    }).pipe(Effect.scoped, Effect.provide(stackLayer())), 40_000)

  it.live("PRACK (RFC 3262): a caller requiring 100rel gets a reliable 180, PRACKs it, then the 200", () =>
    Effect.gen(function*() {
      const seen = yield* play("prack_180.xml", () => Effect.void)
      expect(seen.flatMap((e) => e._tag === "StateChanged" ? [e.to] : [])).toEqual(["Ringing", "Active", "Terminated"])
    }).pipe(Effect.scoped, Effect.provide(stackLayer(CallDecision.accept({ mode: "ring", delayMs: 300, media: { _tag: "Silence" } })))), 40_000)

  it.live("PRACK (RFC 3262): a caller supporting 100rel gets its 183 with SDP reliably, PRACKs it, then the 200", () =>
    Effect.gen(function*() {
      const seen = yield* play("prack_183.xml", () => Effect.void)
      expect(seen.flatMap((e) => e._tag === "StateChanged" ? [e.to] : [])).toEqual(["EarlyMedia", "Active", "Terminated"])
    }).pipe(Effect.scoped, Effect.provide(stackLayer(CallDecision.accept({ mode: "early-media", delayMs: 300, media: { _tag: "Silence" } })))), 40_000)

  it.live("offer in a reliable 183 (RFC 3262 §5): a late-offer caller gets our offer reliably, answers in its PRACK, then the 200", () =>
    Effect.gen(function*() {
      const seen = yield* play("prack_offer.xml", () => Effect.void)
      expect(seen.flatMap((e) => e._tag === "StateChanged" ? [e.to] : [])).toEqual(["Ringing", "EarlyMedia", "Active", "Terminated"])
      expect(seen.filter((e) => e._tag === "MediaStarted")).toHaveLength(1)
    }).pipe(Effect.scoped, Effect.provide(stackLayer(CallDecision.accept({ mode: "early-media", delayMs: 300, media: { _tag: "Silence" } })))), 40_000)

  it.live("late offer as the caller (RFC 3262 §5): SIPp offers in its reliable 183, our PRACK carries the answer, the ACK none", () =>
    Effect.gen(function*() {
      const calls = yield* SessionCoordinator
      const seen: Array<SessionEvent> = []
      yield* Stream.runForEach(yield* calls.subscribe, (e) => Effect.sync(() => void seen.push(e))).pipe(Effect.forkScoped)
      const [port, media] = freePorts(2)
      const callee = runProcess(sippPath, [
        "-sf", Path.join(root, "sipp/client/late_offer_prack.xml"), "-i", "127.0.0.1", "-p", String(port), "-m", "1",
        "-mi", "127.0.0.1", "-mp", String(media), "-timeout", "20s", "-timeout_error", "-nostdin"
      ], 30_000)
      expect(yield* Effect.promise(() => udpBound(port))).toBe(true)
      const id = yield* calls.call({ target: `sip:bob@127.0.0.1:${port}`, lateOffer: true })
      yield* waitForEvent(seen, (e) => e._tag === "StateChanged" && e.to === "Active")
      yield* calls.end(id)
      const result = yield* Effect.promise(() => callee)
      expect(result.code, result.output).toBe(0)
      expect(seen.flatMap((e) => e._tag === "StateChanged" ? [e.to] : [])).toEqual(["EarlyMedia", "Active", "Terminating", "Terminated"])
      expect(seen.filter((e) => e._tag === "MediaStarted")).toHaveLength(1)
    }).pipe(Effect.scoped, Effect.provide(stackLayer())), 40_000)

  it.live("PRACK as the caller (RFC 3262 §4): SIPp's reliable 180 and 183 with SDP are PRACKed in order, then the call is answered", () =>
    Effect.gen(function*() {
      const stack = yield* SipStack
      const calls = yield* SessionCoordinator
      const seen: Array<SessionEvent> = []
      yield* Stream.runForEach(yield* calls.subscribe, (e) => Effect.sync(() => void seen.push(e))).pipe(Effect.forkScoped)
      const [port, media] = freePorts(2)
      const callee = runProcess(sippPath, [
        "-sf", Path.join(root, "sipp/client/prack.xml"), "-i", "127.0.0.1", "-p", String(port), "-m", "1",
        "-mi", "127.0.0.1", "-mp", String(media), "-timeout", "20s", "-timeout_error", "-nostdin"
      ], 30_000)
      expect(yield* Effect.promise(() => udpBound(port))).toBe(true)
      const id = yield* calls.call({ target: `sip:bob@127.0.0.1:${port}` })
      yield* waitForEvent(seen, (e) => e._tag === "StateChanged" && e.to === "Active")
      yield* calls.end(id)
      const result = yield* Effect.promise(() => callee)
      expect(result.code, result.output).toBe(0)
      expect(seen.flatMap((e) => e._tag === "StateChanged" ? [e.to] : [])).toEqual(["Ringing", "EarlyMedia", "Active", "Terminating", "Terminated"])
    }).pipe(Effect.scoped, Effect.provide(stackLayer())), 40_000)

  it.live("as the caller: Require: 100rel (CallOptions), an UPDATE in the early dialog after the PRACKed 183 (RFC 3311 §5.1), then MESSAGE inside the call", () =>
    earlyUpdateThenMessage({ require100rel: true }).pipe(Effect.scoped, Effect.provide(stackLayer())), 40_000)

  it.live("as the caller: Require: 100rel from the stack's config (require100rel), the same early UPDATE and MESSAGE", () =>
    earlyUpdateThenMessage({}).pipe(Effect.scoped, Effect.provide(stackLayer(undefined, true))), 40_000)


  it.live("MESSAGE (RFC 3428): outside a dialog 200, over the size limit 413, inside a call 200; the application hears both", () =>
    Effect.gen(function*() {
      const seen = yield* play("message.xml", () => Effect.void)
      const messages = seen.flatMap((e) => e._tag === "MessageReceived" ? [[e.sessionId !== undefined, Buffer.from(e.body).toString().trim()]] : [])
      expect(messages).toEqual([[false, "hello from sipp"], [true, "hello inside the call"]])
    }).pipe(Effect.scoped, Effect.provide(stackLayer())), 40_000)

  it.live("sendMessage (RFC 3428): our MESSAGE reaches SIPp outside any dialog and is answered 200", () =>
    Effect.gen(function*() {
      const calls = yield* SessionCoordinator
      const [port] = freePorts(1)
      const recipient = runProcess(sippPath, [
        "-sf", Path.join(root, "sipp/client/message.xml"), "-i", "127.0.0.1", "-p", String(port), "-m", "1",
        "-timeout", "20s", "-timeout_error", "-nostdin"
      ], 30_000)
      expect(yield* Effect.promise(() => udpBound(port))).toBe(true)
      yield* calls.sendMessage(`sip:bob@127.0.0.1:${port}`, "text/plain", "hello sipp")
      const result = yield* Effect.promise(() => recipient)
      expect(result.code, result.output).toBe(0)
    }).pipe(Effect.scoped, Effect.provide(stackLayer())), 40_000)
})
