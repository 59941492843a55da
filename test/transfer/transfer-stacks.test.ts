/**
 * Transfer between our own stacks on 127.0.0.1 (RFC 3515, RFC 3891): a client K holds calls with S1 and S2;
 * `transfer` sends REFER, S1 (accepting REFERs) calls the target, NOTIFYs the progress, and the transfer ends
 * K's leg; attended, S2 matches the Replaces to its call with K, takes the new call in its place (CallReplaced)
 * and BYEs K. Refusals: 603 from a stack that declines REFERs, a failed new call reported by NOTIFY, 481 for
 * an INVITE whose Replaces names no dialog. And a ringing call of ours replaced: it is CANCELled.
 */
import { describe, expect, it } from "@effect/vitest"
import { Context, Effect, Layer, Stream } from "effect"
import {
  acceptRefers,
  CallDecision,
  type CallHandler,
  type ReferHandler,
  SessionCoordinator,
  type SessionEvent,
  SipStack
} from "../../src/index.ts"
import { type RawUdp, rawUdp } from "../transport/support.ts"
import { waitForEvent } from "../support/wait-for-event.ts"

const rtpBase = 36000 + 2 * Math.floor(Math.random() * 1000)
const timers = { t1: 50, t2: 400, t4: 500 }
const answer: CallHandler = () => Effect.succeed(CallDecision.accept({ media: { _tag: "Silence" } }))
let slot = 0

/** A stack on 127.0.0.1 whose events are collected into `events`. */
const stack = (handler: CallHandler, referHandler?: ReferHandler) =>
  Effect.gen(function*() {
    const rtp = rtpBase + 20 * (slot++ % 40)
    const built = yield* Layer.build(SipStack.layer({
      host: "127.0.0.1", port: 0, rtpPortMin: rtp, rtpPortMax: rtp + 19, mediaTimeoutMs: 0, timers, handler,
      ...(referHandler === undefined ? {} : { referHandler })
    }))
    const calls = Context.get(built, SessionCoordinator)
    const events: Array<SessionEvent> = []
    yield* Stream.runForEach(yield* calls.subscribe, (e) => Effect.sync(() => void events.push(e))).pipe(Effect.forkScoped)
    const uri = (user: string) => `sip:${user}@127.0.0.1:${Context.get(built, SipStack).local[0].port}`
    return { calls, events, uri }
  })

type Stack = Effect.Success<ReturnType<typeof stack>>

const active = (id?: string) => (e: SessionEvent) => e._tag === "StateChanged" && e.to === "Active" && (id === undefined || e.sessionId === id)
const ended = (id: string) => (e: SessionEvent) => e._tag === "CallEnded" && e.sessionId === id
const progress = (s: Stack, id: string) => s.events.flatMap((e) => e._tag === "TransferProgress" && e.sessionId === id ? [e.status] : [])
const incomingIds = (s: Stack) => s.events.flatMap((e) => e._tag === "IncomingCall" ? [e.sessionId] : [])

/** K calls `to` and waits until the call is Active on both sides. */
const connect = (k: Stack, to: Stack, user: string) =>
  Effect.gen(function*() {
    const id = yield* k.calls.call({ target: to.uri(user), media: { _tag: "Silence" } })
    yield* waitForEvent(k.events, active(id))
    yield* waitForEvent(to.events, active())
    return id
  })

describe("transfer between our stacks", () => {
  it.live("blind (RFC 3515): REFER 202, NOTIFY 100 then 200, the new call reaches the target, both old legs end", () =>
    Effect.gen(function*() {
      const k = yield* stack(answer)
      const s1 = yield* stack(answer, acceptRefers)
      const s2 = yield* stack(answer)
      const a = yield* connect(k, s1, "s1")
      yield* k.calls.transfer(a, s2.uri("target"))
      expect(progress(k, a)).toEqual([100, 200])
      yield* waitForEvent(k.events, ended(a))
      // The new call: S1 → S2, up on both sides; S1's referred call ended.
      const [referred] = incomingIds(s1)
      yield* waitForEvent(s1.events, ended(referred))
      const [arrived] = incomingIds(s2)
      yield* waitForEvent(s2.events, active(arrived))
      expect(yield* s1.calls.activeSessions).toBe(1)
      expect(yield* k.calls.activeSessions).toBe(0)
      const invite = s2.events.find((e) => e._tag === "IncomingCall")
      expect(invite?._tag === "IncomingCall" && invite.call.headers.get("referred-by")?.[0]).toContain("effect-sip@")
      // The transferred call ends like any other: nothing is left on any stack.
      yield* s2.calls.end(arrived)
      yield* waitForEvent(s1.events, (e) => e._tag === "CallEnded" && e.sessionId !== referred)
      expect([yield* k.calls.activeSessions, yield* s1.calls.activeSessions, yield* s2.calls.activeSessions]).toEqual([0, 0, 0])
    }).pipe(Effect.scoped), 30_000)

  it.live("attended (RFC 3891): Refer-To carries the other call's dialog; the target replaces that call and BYEs it", () =>
    Effect.gen(function*() {
      const k = yield* stack(answer)
      const s1 = yield* stack(answer, acceptRefers)
      const s2 = yield* stack(answer)
      const a = yield* connect(k, s1, "s1")
      const b = yield* connect(k, s2, "s2")
      const [old] = incomingIds(s2)
      yield* k.calls.transfer(a, { replaces: b })
      expect(progress(k, a)).toEqual([100, 200])
      yield* waitForEvent(k.events, ended(a))
      yield* waitForEvent(k.events, ended(b))
      const replaced = yield* waitForEvent(s2.events, (e) => e._tag === "CallReplaced")
      const newer = incomingIds(s2)[1]
      expect(replaced).toEqual({ _tag: "CallReplaced", sessionId: old, replacedBy: newer })
      const call = s2.events.find((e) => e._tag === "IncomingCall" && e.sessionId === newer)
      expect(call?._tag === "IncomingCall" && call.call.replaces).toBe(old)
      yield* waitForEvent(s2.events, ended(old))
      expect(yield* s2.calls.state(newer)).toBe("Active")
      yield* waitForEvent(s1.events, ended(incomingIds(s1)[0]))
      expect(yield* k.calls.activeSessions).toBe(0)
      expect(yield* s1.calls.activeSessions).toBe(1)
      expect(yield* s2.calls.activeSessions).toBe(1)
    }).pipe(Effect.scoped), 30_000)

  it.live("a stack that declines REFERs answers 603: transfer fails with Rejected and the call goes on", () =>
    Effect.gen(function*() {
      const k = yield* stack(answer)
      const s2 = yield* stack(answer)
      const b = yield* connect(k, s2, "s2")
      const error = yield* Effect.flip(k.calls.transfer(b, k.uri("anyone")))
      expect(error).toMatchObject({ _tag: "ApplicationError", reason: "Rejected" })
      expect(error.message).toContain("603")
      expect(yield* k.calls.state(b)).toBe("Active")
      expect(progress(k, b)).toEqual([])
    }).pipe(Effect.scoped), 30_000)

  it.live("the new call fails (486): NOTIFY carries it, transfer fails, the referred call stays up", () =>
    Effect.gen(function*() {
      const k = yield* stack(answer)
      const s1 = yield* stack(answer, acceptRefers)
      const busy = yield* stack(() => Effect.succeed(CallDecision.reject(486)))
      const a = yield* connect(k, s1, "s1")
      const error = yield* Effect.flip(k.calls.transfer(a, busy.uri("busy")))
      expect(error).toMatchObject({ _tag: "ApplicationError", reason: "Rejected" })
      expect(progress(k, a)).toEqual([100, 486])
      expect(yield* k.calls.state(a)).toBe("Active")
    }).pipe(Effect.scoped), 30_000)

  it.live("an INVITE whose Replaces names no dialog gets 481 (RFC 3891 §3)", () =>
    Effect.gen(function*() {
      const k = yield* stack(answer)
      const s2 = yield* stack(answer)
      const unknown = yield* k.calls.call({ target: s2.uri("x"), headers: [["Replaces", "nosuch@host;to-tag=a;from-tag=b"]] })
      expect(yield* waitForEvent(k.events, ended(unknown))).toMatchObject({ reason: { _tag: "Rejected", status: 481 } })
      expect(incomingIds(s2)).toEqual([])
    }).pipe(Effect.scoped), 30_000)

  it.live("an INVITE with Replaces naming our ringing call (RFC 3891 §3): the new call takes its place, the old one is CANCELled", () =>
    Effect.gen(function*() {
      const k = yield* stack(answer)
      const x = yield* stack(answer)
      const callee = yield* rawUdp
      const old = yield* k.calls.call({ target: `sip:ringing@127.0.0.1:${callee.port}`, media: { _tag: "Silence" } })
      const invite = yield* next(callee, "INVITE")
      yield* callee.send(reply(invite, "180 Ringing", ";tag=early-tag"), portOf(invite))
      yield* waitForEvent(k.events, (e) => e._tag === "StateChanged" && e.sessionId === old && e.to === "Ringing")
      // Our early dialog as the replacing party names it: to-tag is ours (K's From tag), from-tag the callee's.
      const ourTag = /^From:.*;tag=([^;\s]+)/mi.exec(invite)?.[1]
      const callId = /^Call-ID: *(\S+)/mi.exec(invite)?.[1]
      const replacing = yield* x.calls.call({
        target: k.uri("k"), media: { _tag: "Silence" }, headers: [["Replaces", `${callId};to-tag=${ourTag};from-tag=early-tag`]]
      })
      yield* waitForEvent(x.events, active(replacing))
      const replaced = yield* waitForEvent(k.events, (e) => e._tag === "CallReplaced")
      expect(replaced).toMatchObject({ sessionId: old })
      const cancel = yield* next(callee, "CANCEL")
      yield* callee.send(reply(cancel, "200 OK", ""), portOf(cancel))
      yield* callee.send(reply(invite, "487 Request Terminated", ";tag=early-tag"), portOf(invite))
      yield* waitForEvent(k.events, ended(old))
      expect(yield* k.calls.activeSessions).toBe(1)
    }).pipe(Effect.scoped), 30_000)
})

/** The next request `method` the raw peer receives (retransmissions of others skipped). */
const next = (peer: RawUdp, method: string) =>
  Effect.gen(function*() {
    for (;;) {
      const text = yield* peer.receive(5000)
      if (text === undefined) return yield* Effect.die(`no ${method}`)
      if (text.startsWith(`${method} `)) return text
    }
  })

const header = (text: string, name: string) => text.split("\r\n").find((l) => l.toLowerCase().startsWith(`${name.toLowerCase()}:`)) ?? ""
const portOf = (request: string) => Number(/^Via:[^\r\n]*?:(\d+)/mi.exec(request)?.[1])

/** A response to `request` (its Via, From, To with `toTag` added, Call-ID, CSeq). */
const reply = (request: string, status: string, toTag: string) =>
  [`SIP/2.0 ${status}`, header(request, "via"), header(request, "from"), header(request, "to") + toTag, header(request, "call-id"),
    header(request, "cseq"), `Contact: <sip:ringing@127.0.0.1>`, "Content-Length: 0", "", ""].join("\r\n")
