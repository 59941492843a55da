/**
 * Every method our Allow names really works (RFC 3261 §20.5): a raw peer on 127.0.0.1 sends each one to a
 * whole SipStack, outside a dialog and inside one, and checks the answer. A method added to Allow without
 * a case here fails the test.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { CallDecision, SipStack } from "../../src/index.ts"
import { type RawUdp, rawUdp } from "../transport/support.ts"

const rtpBase = 54600 + 2 * Math.floor(Math.random() * 100)
const sdp = (port: number, direction = "sendrecv") =>
  ["v=0", "o=peer 1 1 IN IP4 127.0.0.1", "s=-", "c=IN IP4 127.0.0.1", "t=0 0", `m=audio ${port} RTP/AVP 0`,
    "a=rtpmap:0 PCMU/8000", `a=${direction}`, ""].join("\r\n")

let n = 0
interface Req {
  readonly method: string
  readonly cseq: number
  readonly toTag?: string
  readonly body?: string
  readonly contentType?: string
  readonly branch?: string
  readonly extra?: ReadonlyArray<string>
}

const send = (peer: RawUdp, port: number, callId: string, req: Req) => {
  const body = req.body ?? ""
  const text = [
    `${req.method} sip:service@127.0.0.1:${port} SIP/2.0`,
    `Via: SIP/2.0/UDP 127.0.0.1:${peer.port};branch=${req.branch ?? `z9hG4bK-allow-${++n}`}`,
    "From: <sip:peer@127.0.0.1>;tag=peer1",
    `To: <sip:service@127.0.0.1>${req.toTag === undefined ? "" : `;tag=${req.toTag}`}`,
    `Call-ID: ${callId}`,
    `CSeq: ${req.cseq} ${req.method === "ACK" ? "ACK" : req.method}`,
    `Contact: <sip:peer@127.0.0.1:${peer.port}>`,
    "Max-Forwards: 70",
    ...(req.extra ?? []),
    ...(body === "" ? [] : [`Content-Type: ${req.contentType ?? "application/sdp"}`]),
    `Content-Length: ${Buffer.byteLength(body)}`,
    "",
    body
  ].join("\r\n")
  return peer.send(text, port)
}

/** The final response whose CSeq is `cseq` (provisionals skipped; other finals kept for a later call). */
const finals: Array<{ status: number; text: string; toTag: string | undefined; cseq: string | undefined }> = []
const final = (peer: RawUdp, cseq?: string) =>
  Effect.gen(function*() {
    for (;;) {
      const index = finals.findIndex((f) => cseq === undefined || f.cseq === cseq)
      if (index >= 0) return finals.splice(index, 1)[0]!
      const text = yield* peer.receive(3000)
      if (text === undefined) return yield* Effect.die(`no answer for ${cseq}`)
      const status = Number(/^SIP\/2\.0 (\d{3})/.exec(text)?.[1] ?? 0)
      if (status >= 200) {
        finals.push({ status, text, toTag: /^To:.*;tag=([^;\s]+)/mi.exec(text)?.[1], cseq: /^CSeq: *(.*?)\s*$/mi.exec(text)?.[1] })
      }
    }
  })

/** The next provisional other than 100. */
const provisional = (peer: RawUdp) =>
  Effect.gen(function*() {
    for (;;) {
      const text = yield* peer.receive(3000)
      if (text === undefined) return yield* Effect.die("no provisional")
      const status = Number(/^SIP\/2\.0 (\d{3})/.exec(text)?.[1] ?? 0)
      if (status > 100 && status < 200) return { status, text, toTag: /^To:.*;tag=([^;\s]+)/mi.exec(text)?.[1] }
    }
  })

describe("every method in Allow, against a whole SipStack", () => {
  it.live("outside a dialog and inside one, each allowed method gets its right answer", () =>
    Effect.gen(function*() {
      const stack = yield* SipStack
      const port = stack.local[0].port
      const peer = yield* rawUdp
      const tried = new Set<string>()
      const ask = (callId: string, req: Req) =>
        Effect.andThen(send(peer, port, callId, req), final(peer, `${req.cseq} ${req.method}`)).pipe(Effect.tap(() => Effect.sync(() => tried.add(req.method))))

      // Outside a dialog.
      const options = yield* ask("allow-out", { method: "OPTIONS", cseq: 1 })
      expect(options.status).toBe(200)
      const allow = /^Allow: *(.*)$/mi.exec(options.text)?.[1]?.split(/\s*,\s*/) ?? []
      expect(allow).toContain("UPDATE")
      for (const method of ["BYE", "INFO", "UPDATE", "REFER", "NOTIFY"]) {
        expect((yield* ask("allow-out", { method, cseq: 2 })).status, method).toBe(481)
      }
      expect((yield* ask("allow-out", { method: "CANCEL", cseq: 3 })).status).toBe(481)
      const message = yield* ask("allow-msg", { method: "MESSAGE", cseq: 1, body: "hello", contentType: "text/plain" })
      expect(message.status).toBe(200)
      expect(message.toTag).toBeDefined()

      // A dialog: INVITE → 200 → ACK.
      const call = "allow-in"
      const invite = yield* ask(call, { method: "INVITE", cseq: 1, body: sdp(rtpBase + 200) })
      expect(invite.status).toBe(200)
      const toTag = invite.toTag!
      yield* send(peer, port, call, { method: "ACK", cseq: 1, toTag })
      tried.add("ACK")
      expect((yield* ask(call, { method: "OPTIONS", cseq: 2, toTag })).status).toBe(200)
      expect((yield* ask(call, { method: "INFO", cseq: 3, toTag, body: "Signal=1\r\nDuration=100\r\n", contentType: "application/dtmf-relay" })).status).toBe(200)
      const update = yield* ask(call, { method: "UPDATE", cseq: 4, toTag, body: sdp(rtpBase + 200, "sendonly") })
      expect(update.status).toBe(200)
      expect(update.text).toContain("a=recvonly")
      expect((yield* ask(call, { method: "UPDATE", cseq: 5, toTag })).status).toBe(200)
      const reinvite = yield* ask(call, { method: "INVITE", cseq: 6, toTag, body: sdp(rtpBase + 200) })
      expect(reinvite.status).toBe(200)
      yield* send(peer, port, call, { method: "ACK", cseq: 6, toTag })
      expect((yield* ask(call, { method: "MESSAGE", cseq: 7, toTag, body: "in the call", contentType: "text/plain" })).status).toBe(200)
      // REFER (RFC 3515): no Refer-To 400; a stack without a ReferHandler declines 603. NOTIFY of a refer
      // subscription: 200 (TransferProgress for the application).
      expect((yield* ask(call, { method: "REFER", cseq: 8, toTag })).status).toBe(400)
      expect((yield* ask(call, { method: "REFER", cseq: 9, toTag, extra: ["Refer-To: <sip:bob@127.0.0.1:9>"] })).status).toBe(603)
      const frag = { body: "SIP/2.0 100 Trying\r\n", contentType: "message/sipfrag;version=2.0" }
      expect((yield* ask(call, { method: "NOTIFY", cseq: 10, toTag, ...frag, extra: ["Event: refer", "Subscription-State: active"] })).status).toBe(200)
      expect((yield* ask(call, { method: "BYE", cseq: 11, toTag })).status).toBe(200)

      // PRACK (RFC 3262): outside a dialog 481; for a reliable 180 (the caller requires 100rel), a PRACK
      // without RAck 400, one naming another RSeq 481, the right one 200; then the 2xx comes.
      expect((yield* ask("allow-out", { method: "PRACK", cseq: 4 })).status).toBe(481)
      const ringing = "allow-100rel"
      yield* send(peer, port, ringing, { method: "INVITE", cseq: 1, body: sdp(rtpBase + 202), extra: ["Require: 100rel"], branch: "z9hG4bK-allow-rel" })
      const reliable = yield* provisional(peer)
      expect(reliable.text).toMatch(/^Require: *100rel/mi)
      const rseq = Number(/^RSeq: *(\d+)/mi.exec(reliable.text)?.[1])
      expect(rseq).toBeGreaterThan(0)
      expect((yield* ask(ringing, { method: "PRACK", cseq: 2, toTag: reliable.toTag! })).status).toBe(400)
      expect((yield* ask(ringing, { method: "PRACK", cseq: 3, toTag: reliable.toTag!, extra: [`RAck: ${rseq + 5} 1 INVITE`] })).status).toBe(481)
      expect((yield* ask(ringing, { method: "PRACK", cseq: 4, toTag: reliable.toTag!, extra: [`RAck: ${rseq} 1 INVITE`] })).status).toBe(200)
      expect((yield* final(peer, "1 INVITE")).status).toBe(200)
      yield* send(peer, port, ringing, { method: "ACK", cseq: 1, toTag: reliable.toTag! })
      expect((yield* ask(ringing, { method: "BYE", cseq: 5, toTag: reliable.toTag! })).status).toBe(200)

      for (const method of allow) expect(tried.has(method), `${method} is in Allow but was not tried`).toBe(true)
    }).pipe(
      Effect.scoped,
      Effect.provide(SipStack.layer({
        host: "127.0.0.1", port: 0, rtpPortMin: rtpBase, rtpPortMax: rtpBase + 19, mediaTimeoutMs: 0,
        handler: (call) =>
          Effect.succeed(CallDecision.accept({ media: { _tag: "Silence" }, ...(call.headers.has("require") ? { mode: "ring", delayMs: 10 } : {}) }))
      }))
    ), 30_000)
})
