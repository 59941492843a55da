/**
 * Session timers (RFC 4028) on the coordinator, under TestClock: 422 below our Min-SE, the 2xx's
 * Session-Expires and refresher, BYE at expiry (SessionExpired) when the peer refreshes and does not,
 * the peer's refresh re-arming it, and our own refreshes at half the interval (UPDATE or re-INVITE).
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { TestClock } from "effect/testing"
import type { DialogEvent } from "../../src/dialog/dialog-layer.ts"
import { CallDecision } from "../../src/session/call-decision.ts"
import { parseSessionExpires, retryHeaders } from "../../src/session/session-timer-rules.ts"
import { makeRequest } from "../../src/sip/index.ts"
import type { SipResponse } from "../../src/sip/message.ts"
import { okResponse } from "../support/fake-dialog.ts"
import { ended, incoming, invite, offer, setup } from "./coordinator-support.ts"

const accepted = (extra: Array<[string, string]>) =>
  Effect.gen(function*() {
    const t = yield* setup(() => Effect.succeed(CallDecision.accept()))
    yield* t.emit(incoming(offer("0 8 101"), extra))
    return t
  })

const confirm = { _tag: "DialogConfirmed", dialogId: "d1", ack: invite(undefined) } as const satisfies DialogEvent

const refreshFromPeer = (requestId: string, method: "UPDATE" | "INVITE", sessionExpires: string): DialogEvent => ({
  _tag: "ReinviteReceived",
  dialogId: "d1",
  requestId,
  request: makeRequest({
    method,
    uri: "sip:service@127.0.0.1:5060",
    headers: [
      ["Via", "SIP/2.0/UDP 10.0.0.9:5061;branch=z9hG4bK-r"],
      ["From", "<sip:alice@10.0.0.9>;tag=a1"],
      ["To", "<sip:service@127.0.0.1>;tag=b1"],
      ["Call-ID", "call-1@10.0.0.9"],
      ["CSeq", `5 ${method}`],
      ["Session-Expires", sessionExpires]
    ]
  })
})

const header = (headers: ReadonlyArray<readonly [string, string]> | undefined, name: string) =>
  headers?.find(([n]) => n.toLowerCase() === name.toLowerCase())?.[1]

const advance = (seconds: number) =>
  Effect.gen(function*() {
    for (let i = 0; i < seconds; i++) {
      yield* TestClock.adjust("1 second")
      for (let j = 0; j < 5; j++) yield* Effect.yieldNow
    }
  })

describe("session timer rules", () => {
  it("Session-Expires values, and a 422's retry headers", () => {
    expect(parseSessionExpires("1800;refresher=uac")).toEqual({ delta: 1800, refresher: "uac" })
    expect(parseSessionExpires(" 90 ; Refresher=UAS")).toEqual({ delta: 90, refresher: "uas" })
    expect(parseSessionExpires("120")).toEqual({ delta: 120 })
    expect(parseSessionExpires("soon")).toBeUndefined()
    expect(retryHeaders([["Supported", "timer"], ["Session-Expires", "60"], ["Min-SE", "30"], ["X-Other", "1"]], 300)).toEqual([
      ["Supported", "timer"], ["X-Other", "1"], ["Session-Expires", "300"], ["Min-SE", "300"]
    ])
  })
})

describe("session timers (RFC 4028), UAS", () => {
  it.effect("a Session-Expires below our Min-SE (90 s) gets 422 with Min-SE: 90; no call is made", () =>
    Effect.gen(function*() {
      const t = yield* accepted([["Session-Expires", "60"], ["Supported", "timer"]])
      const reject = t.control.intents.find((i) => i.op === "reject")
      expect(reject).toMatchObject({ status: 422 })
      expect(header(reject?.headers, "Min-SE")).toBe("90")
      expect(t.seen.some((e) => e._tag === "IncomingCall")).toBe(false)
    }))

  it.effect("the peer refreshes (refresher=uac): our 2xx says so with Require: timer; unrefreshed, BYE at 120 - 32 s, ended SessionExpired", () =>
    Effect.gen(function*() {
      const t = yield* accepted([["Session-Expires", "120;refresher=uac"], ["Supported", "timer"]])
      const accept = t.control.intents.find((i) => i.op === "accept")
      expect(header(accept?.headers, "Session-Expires")).toBe("120;refresher=uac")
      expect(header(accept?.headers, "Require")).toBe("timer")
      yield* t.emit(confirm)
      yield* advance(87)
      expect(t.control.intents.some((i) => i.method === "BYE")).toBe(false)
      yield* advance(1)
      expect(t.control.intents.at(-1)).toMatchObject({ op: "request", method: "BYE" })
      expect(ended(t.seen)).toMatchObject({ reason: { _tag: "SessionExpired" } })
    }))

  it.effect("the peer's refresh (UPDATE) is answered with Session-Expires and re-arms the timer", () =>
    Effect.gen(function*() {
      const t = yield* accepted([["Session-Expires", "120"], ["Supported", "timer"]])
      yield* t.emit(confirm)
      yield* advance(60)
      yield* t.emit(refreshFromPeer("u1", "UPDATE", "120;refresher=uac"))
      const answer = t.control.intents.find((i) => i.op === "respond" && i.id === "u1")
      expect(answer?.status).toBe(200)
      expect(header(answer?.headers, "Session-Expires")).toBe("120;refresher=uac")
      yield* advance(60)
      expect(ended(t.seen)).toBeUndefined()
      yield* advance(30)
      expect(ended(t.seen)).toMatchObject({ reason: { _tag: "SessionExpired" } })
    }))

  it.effect("we refresh (refresher=uas, the peer allows UPDATE): an UPDATE at half the interval, again after each 2xx", () =>
    Effect.gen(function*() {
      const t = yield* accepted([["Session-Expires", "100;refresher=uas"], ["Supported", "timer"], ["Allow", "INVITE, ACK, BYE, UPDATE"]])
      yield* t.emit(confirm)
      const updates = () => t.control.intents.filter((i) => i.op === "request" && i.method === "UPDATE")
      yield* advance(49)
      expect(updates().length).toBe(0)
      yield* advance(1)
      expect(updates().length).toBe(1)
      expect(header(updates()[0]?.headers, "Session-Expires")).toBe("100;refresher=uac")
      expect(updates()[0]?.body).toBeUndefined()
      yield* advance(50)
      expect(updates().length).toBe(2)
      expect(ended(t.seen)).toBeUndefined()
    }))

  it.effect("we refresh by re-INVITE when UPDATE is not allowed; a refused refresh lets the session expire (BYE)", () =>
    Effect.gen(function*() {
      const t = yield* accepted([["Session-Expires", "100;refresher=uas"], ["Supported", "timer"]])
      yield* t.emit(confirm)
      t.control.answerRequest = (_method, body): SipResponse =>
        body === undefined ? okResponse() : { ...okResponse(), status: 403, reason: "Forbidden" }
      yield* advance(50)
      const reinvite = t.control.intents.find((i) => i.op === "request" && i.method === "INVITE")
      expect(reinvite?.body).toContain("m=audio")
      expect(header(reinvite?.headers, "Session-Expires")).toBe("100;refresher=uac")
      expect(ended(t.seen)).toBeUndefined()
      yield* advance(50)
      expect(t.control.intents.at(-1)).toMatchObject({ op: "request", method: "BYE" })
      expect(ended(t.seen)).toMatchObject({ reason: { _tag: "SessionExpired" } })
    }))

  it.effect("an INVITE without Session-Expires gets no timer: no header in the 2xx, no BYE however long", () =>
    Effect.gen(function*() {
      const t = yield* accepted([])
      expect(header(t.control.intents.find((i) => i.op === "accept")?.headers, "Session-Expires")).toBeUndefined()
      yield* t.emit(confirm)
      yield* advance(200)
      expect(ended(t.seen)).toBeUndefined()
    }))
})
