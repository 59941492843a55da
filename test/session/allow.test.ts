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
    ...(body === "" ? [] : [`Content-Type: ${req.contentType ?? "application/sdp"}`]),
    `Content-Length: ${Buffer.byteLength(body)}`,
    "",
    body
  ].join("\r\n")
  return peer.send(text, port)
}

/** The next final response (provisionals skipped; requests from the stack, e.g. none here, too). */
const final = (peer: RawUdp) =>
  Effect.gen(function*() {
    for (;;) {
      const text = yield* peer.receive(3000)
      if (text === undefined) return yield* Effect.die("no answer")
      const status = Number(/^SIP\/2\.0 (\d{3})/.exec(text)?.[1] ?? 0)
      if (status >= 200) return { status, text, toTag: /^To:.*;tag=([^;\s]+)/mi.exec(text)?.[1] }
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
        Effect.andThen(send(peer, port, callId, req), final(peer)).pipe(Effect.tap(() => Effect.sync(() => tried.add(req.method))))

      // Outside a dialog.
      const options = yield* ask("allow-out", { method: "OPTIONS", cseq: 1 })
      expect(options.status).toBe(200)
      const allow = /^Allow: *(.*)$/mi.exec(options.text)?.[1]?.split(/\s*,\s*/) ?? []
      expect(allow).toContain("UPDATE")
      for (const method of ["BYE", "INFO", "UPDATE"]) {
        expect((yield* ask("allow-out", { method, cseq: 2 })).status, method).toBe(481)
      }
      expect((yield* ask("allow-out", { method: "CANCEL", cseq: 3 })).status).toBe(481)

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
      expect((yield* ask(call, { method: "BYE", cseq: 7, toTag })).status).toBe(200)

      for (const method of allow) expect(tried.has(method), `${method} is in Allow but was not tried`).toBe(true)
    }).pipe(
      Effect.scoped,
      Effect.provide(SipStack.layer({
        host: "127.0.0.1", port: 0, rtpPortMin: rtpBase, rtpPortMax: rtpBase + 19, mediaTimeoutMs: 0,
        handler: () => Effect.succeed(CallDecision.accept({ media: { _tag: "Silence" } }))
      }))
    ), 30_000)
})
