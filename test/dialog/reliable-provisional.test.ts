/**
 * Reliable provisional responses at the UAS (RFC 3262 §3), on the scripted transaction layer under
 * TestClock: RSeq and Require: 100rel, retransmission at T1 doubling until the PRACK, one outstanding at
 * a time, the 2xx held until the PRACK, PRACK answers (200, 481, 400), and 500 after 64*T1 without one.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Fiber } from "effect"
import { TestClock } from "effect/testing"
import type { DialogEvent } from "../../src/dialog/dialog-layer.ts"
import { getHeader, withHeader } from "../../src/sip/index.ts"
import { inDialogRequest, incomingInvite, serverTransaction, settle, setupWith } from "./support.ts"

const sdp = { contentType: "application/sdp", bytes: Buffer.from("v=0\r\n") }

const ringing = (extension: "Require" | "Supported" | undefined, reliableProvisionals: "all" | "sdp" = "all") =>
  Effect.gen(function*() {
    const ctx = yield* setupWith({ reliableProvisionals })
    const invite = serverTransaction(incomingInvite({ extra: extension === undefined ? [] : [[extension, "100rel"]] }))
    yield* ctx.tl.inject({ _tag: "RequestReceived", transaction: invite })
    const reported = ctx.events[0] as Extract<DialogEvent, { _tag: "IncomingInvite" }>
    const ourTag = reported.dialogId.split(";")[1]!
    const statuses = () => ctx.tl.responses(invite.id).map((r) => r.status)
    const prack = (rack: string | undefined, seq: number) => {
      const request = inDialogRequest("PRACK", seq, ourTag)
      const transaction = serverTransaction(rack === undefined ? request : withHeader(request, "RAck", rack))
      return Effect.as(ctx.tl.inject({ _tag: "RequestReceived", transaction }), transaction.id)
    }
    return { ...ctx, invite, dialogId: reported.dialogId, statuses, prack }
  })

describe("reliable provisionals (RFC 3262 §3), UAS", () => {
  it.effect("Require: 100rel: the 180 carries Require and RSeq, is sent again at 500, 1000, 2000 ms until the PRACK, which gets 200", () =>
    Effect.gen(function*() {
      const t = yield* ringing("Require")
      yield* t.dialog.provisional(t.dialogId, 180)
      const first = t.tl.responses(t.invite.id)[0]!
      expect(getHeader(first, "require")).toBe("100rel")
      const rseq = Number(getHeader(first, "rseq"))
      expect(rseq).toBeGreaterThan(0)
      yield* TestClock.adjust(499)
      expect(t.statuses()).toEqual([180])
      yield* TestClock.adjust(1)
      expect(t.statuses()).toEqual([180, 180])
      yield* TestClock.adjust(1000)
      expect(t.statuses()).toEqual([180, 180, 180])
      yield* TestClock.adjust(2000)
      expect(t.statuses()).toEqual([180, 180, 180, 180])
      const ok = yield* t.prack(`${rseq} 1 INVITE`, 2)
      expect(t.tl.responses(ok).map((r) => r.status)).toEqual([200])
      yield* TestClock.adjust(10_000)
      expect(t.statuses()).toEqual([180, 180, 180, 180])
    }))

  it.effect("one outstanding at a time, and the 2xx waits for the PRACK; RSeq goes up by one", () =>
    Effect.gen(function*() {
      const t = yield* ringing("Require")
      yield* t.dialog.provisional(t.dialogId, 180)
      const rseq = Number(getHeader(t.tl.responses(t.invite.id)[0]!, "rseq"))
      const second = yield* t.dialog.provisional(t.dialogId, 183, { body: sdp }).pipe(Effect.forkChild)
      const final = yield* t.dialog.accept(t.dialogId, { body: sdp }).pipe(Effect.forkChild)
      yield* settle
      expect(t.statuses()).toEqual([180])
      yield* t.prack(`${rseq} 1 INVITE`, 2)
      yield* Fiber.join(second)
      // The 183 is out; the 2xx still waits for its PRACK.
      expect(t.statuses()).toEqual([180, 183])
      const next = t.tl.responses(t.invite.id)[1]!
      expect(Number(getHeader(next, "rseq"))).toBe(rseq + 1)
      yield* t.prack(`${rseq + 1} 1 INVITE`, 3)
      yield* Fiber.join(final)
      expect(t.statuses()).toEqual([180, 183, 200])
    }))

  it.effect("a PRACK without RAck gets 400, one naming another RSeq or CSeq 481; neither stops the retransmission", () =>
    Effect.gen(function*() {
      const t = yield* ringing("Require")
      yield* t.dialog.provisional(t.dialogId, 180)
      const rseq = Number(getHeader(t.tl.responses(t.invite.id)[0]!, "rseq"))
      const missing = yield* t.prack(undefined, 2)
      expect(t.tl.responses(missing).map((r) => r.status)).toEqual([400])
      const wrongRSeq = yield* t.prack(`${rseq + 1} 1 INVITE`, 3)
      const wrongCSeq = yield* t.prack(`${rseq} 7 INVITE`, 4)
      expect([...t.tl.responses(wrongRSeq), ...t.tl.responses(wrongCSeq)].map((r) => r.status)).toEqual([481, 481])
      yield* TestClock.adjust(500)
      expect(t.statuses()).toEqual([180, 180])
    }))

  it.effect("Supported: 100rel: every 18x goes reliably, the first with RSeq 1", () =>
    Effect.gen(function*() {
      const t = yield* ringing("Supported")
      yield* t.dialog.provisional(t.dialogId, 180)
      expect(getHeader(t.tl.responses(t.invite.id)[0]!, "rseq")).toBe("1")
      yield* t.prack("1 1 INVITE", 2)
      yield* t.dialog.provisional(t.dialogId, 183, { body: sdp })
      expect(getHeader(t.tl.responses(t.invite.id)[1]!, "rseq")).toBe("2")
    }))

  it.effect("Supported: 100rel, configured \"sdp\": a 180 without a body goes unreliably, a 183 with SDP reliably", () =>
    Effect.gen(function*() {
      const t = yield* ringing("Supported", "sdp")
      yield* t.dialog.provisional(t.dialogId, 180)
      expect(getHeader(t.tl.responses(t.invite.id)[0]!, "rseq")).toBeUndefined()
      yield* t.dialog.provisional(t.dialogId, 183, { body: sdp })
      expect(getHeader(t.tl.responses(t.invite.id)[1]!, "rseq")).toBe("1")
    }))

  it.effect("no 100rel asked for: no RSeq, no retransmission by us", () =>
    Effect.gen(function*() {
      const t = yield* ringing(undefined)
      yield* t.dialog.provisional(t.dialogId, 183, { body: sdp })
      expect(getHeader(t.tl.responses(t.invite.id)[0]!, "rseq")).toBeUndefined()
      yield* TestClock.adjust(5000)
      expect(t.statuses()).toEqual([183])
    }))

  it.effect("64*T1 without a PRACK: the INVITE gets 500 and the dialog ends (Timeout); the waiting 2xx fails", () =>
    Effect.gen(function*() {
      const t = yield* ringing("Require")
      yield* t.dialog.provisional(t.dialogId, 180)
      const final = yield* t.dialog.accept(t.dialogId).pipe(Effect.flip, Effect.forkChild)
      for (let ms = 0; ms < 64 * 500; ms += 250) {
        yield* TestClock.adjust(250)
        yield* settle
      }
      expect(t.statuses().at(-1)).toBe(500)
      expect(t.statuses().filter((s) => s === 180).length).toBe(7) // at 0, 0.5, 1.5, 3.5, 7.5, 15.5, 31.5 s
      expect(t.events.at(-1)).toEqual({ _tag: "DialogTerminated", dialogId: t.dialogId, reason: "Timeout" })
      expect((yield* Fiber.join(final))._tag).toBe("ProtocolError")
      expect(yield* t.dialog.counts).toEqual({ dialogs: 0, pendingInvites: 0 })
    }))
})
