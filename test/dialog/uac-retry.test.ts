/**
 * Retrying an INVITE within the same call: after a redirect (§8.1.3.4, `continues`) and after a digest
 * challenge (§22.2, `credentials`), for the INVITE and for a BYE in the dialog.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Fiber, Stream } from "effect"
import type { InviteOptions, OutgoingInviteEvent } from "../../src/dialog/dialog-layer.ts"
import { getHeader } from "../../src/sip/index.ts"
import type { SipRequest } from "../../src/sip/message.ts"
import { answer, offerResponse, settle, setup } from "./support.ts"

const callee = { transport: "udp", host: "10.0.0.20", port: 5080 } as const

const options = (extra: Partial<InviteOptions> = {}): InviteOptions => ({
  target: "sip:bob@10.0.0.20:5080",
  from: "<sip:alice@127.0.0.1>",
  to: "<sip:bob@10.0.0.20>",
  destination: callee,
  ...extra
})

const collect = (events: Stream.Stream<OutgoingInviteEvent, unknown>) =>
  Effect.gen(function*() {
    const seen: Array<OutgoingInviteEvent> = []
    const fiber = yield* Stream.runForEach(events, (e) => Effect.sync(() => void seen.push(e))).pipe(Effect.ignore, Effect.forkChild)
    return { seen, fiber }
  })

const challenge = (request: SipRequest, status: 401 | 407, realm: string) =>
  answer(request, status, "challenger", [[
    status === 401 ? "WWW-Authenticate" : "Proxy-Authenticate",
    `Digest realm="${realm}", nonce="n-${realm}", qop="auth", algorithm=MD5`
  ]])

describe("DialogLayer UAC retries", () => {
  it.effect("§8.1.3.4: `continues` sends the new INVITE in the same call: same Call-ID and From-tag, CSeq + 1", () =>
    Effect.gen(function*() {
      const { tl, dialog } = yield* setup
      const first = yield* dialog.invite(options())
      const firstEvents = yield* collect(first.events)
      yield* settle
      const invite1 = tl.client("INVITE")
      yield* offerResponse(invite1.queue, answer(invite1.request, 302, "redirector", [["Contact", "<sip:moved@10.0.0.21>"]]))
      yield* Fiber.join(firstEvents.fiber)
      expect(firstEvents.seen.map((e) => e._tag)).toEqual(["Failed"])
      const second = yield* dialog.invite(options({ target: "sip:moved@10.0.0.21", continues: first.dialogId }))
      yield* settle
      const invite2 = tl.client("INVITE")
      expect(invite2).not.toBe(invite1)
      expect(second.callId).toBe(first.callId)
      expect(second.dialogId).toBe(first.dialogId)
      expect(invite2.request.uri).toBe("sip:moved@10.0.0.21")
      expect(getHeader(invite2.request, "call-id")).toBe(getHeader(invite1.request, "call-id"))
      expect(getHeader(invite2.request, "from")).toBe(getHeader(invite1.request, "from"))
      expect(getHeader(invite2.request, "cseq")).toBe("2 INVITE")
      const secondEvents = yield* collect(second.events)
      yield* offerResponse(invite2.queue, answer(invite2.request, 200, "moved"))
      yield* Fiber.join(secondEvents.fiber)
      expect(secondEvents.seen.map((e) => e._tag)).toEqual(["Answered"])
      expect(getHeader(tl.stateless()[0]!, "cseq")).toBe("2 ACK")
    }))

  it.effect("§22.2: a 401 to the INVITE is answered with Authorization (CSeq + 1); the 2xx's ACK carries it too", () =>
    Effect.gen(function*() {
      const { tl, dialog } = yield* setup
      const outgoing = yield* dialog.invite(options({ credentials: { username: "alice", password: "secret" } }))
      const events = yield* collect(outgoing.events)
      yield* settle
      const invite1 = tl.client("INVITE")
      yield* offerResponse(invite1.queue, challenge(invite1.request, 401, "sipp.test"))
      const invite2 = tl.client("INVITE")
      expect(invite2).not.toBe(invite1)
      expect(getHeader(invite2.request, "cseq")).toBe("2 INVITE")
      expect(getHeader(invite2.request, "call-id")).toBe(outgoing.callId)
      const authorization = getHeader(invite2.request, "authorization")
      expect(authorization).toMatch(/^Digest .*username="alice".*realm="sipp.test"/)
      expect(authorization).toMatch(/nc=00000001/)
      // The challenge did not reach the session: it only sees the outcome of the retry.
      expect(events.seen).toEqual([])
      yield* offerResponse(invite2.queue, answer(invite2.request, 200, "bob"))
      yield* Fiber.join(events.fiber)
      expect(events.seen.map((e) => e._tag)).toEqual(["Answered"])
      const ack = tl.stateless()[0] as SipRequest
      expect(getHeader(ack, "cseq")).toBe("2 ACK")
      expect(getHeader(ack, "authorization")).toBe(authorization)
    }))

  it.effect("§22.2: refused credentials (a second challenge, not stale) end the INVITE with the challenge", () =>
    Effect.gen(function*() {
      const { tl, dialog } = yield* setup
      const outgoing = yield* dialog.invite(options({ credentials: { username: "alice", password: "wrong" } }))
      const events = yield* collect(outgoing.events)
      yield* settle
      const invite1 = tl.client("INVITE")
      yield* offerResponse(invite1.queue, challenge(invite1.request, 401, "sipp.test"))
      const invite2 = tl.client("INVITE")
      yield* offerResponse(invite2.queue, challenge(invite2.request, 401, "sipp.test"))
      yield* Fiber.join(events.fiber)
      expect(tl.requests("INVITE")).toHaveLength(2)
      expect(events.seen.map((e) => e._tag === "Failed" && e.response.status)).toEqual([401])
      expect(yield* dialog.counts).toEqual({ dialogs: 0, pendingInvites: 0 })
    }))

  it.effect("§22.2: a 407 to our BYE is answered with Proxy-Authorization in the next CSeq; the BYE then succeeds", () =>
    Effect.gen(function*() {
      const { tl, dialog, events } = yield* setup
      const outgoing = yield* dialog.invite(options({ credentials: { username: "alice", password: "secret" } }))
      const progress = yield* collect(outgoing.events)
      yield* settle
      const invite = tl.client("INVITE")
      yield* offerResponse(invite.queue, answer(invite.request, 200, "bob"))
      yield* Fiber.join(progress.fiber)
      const bye = yield* dialog.request(outgoing.dialogId, "BYE").pipe(Effect.forkChild)
      yield* settle
      const bye1 = tl.client("BYE")
      expect(getHeader(bye1.request, "cseq")).toBe("2 BYE")
      yield* offerResponse(bye1.queue, challenge(bye1.request, 407, "proxy.test"))
      const bye2 = tl.client("BYE")
      expect(bye2).not.toBe(bye1)
      expect(getHeader(bye2.request, "cseq")).toBe("3 BYE")
      expect(getHeader(bye2.request, "proxy-authorization")).toMatch(/^Digest .*realm="proxy.test"/)
      yield* offerResponse(bye2.queue, answer(bye2.request, 200, "bob"))
      expect((yield* Fiber.join(bye)).status).toBe(200)
      yield* settle
      expect(events.at(-1)).toMatchObject({ _tag: "DialogTerminated", reason: "LocalBye" })
    }))
})
