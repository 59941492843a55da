/**
 * The UAS policy end to end: raw datagrams from a peer on 127.0.0.1 into the real Transport →
 * TransactionLayer → DialogLayer, and the exact answer (status, named headers) that comes back.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer, Queue, Stream } from "effect"
import { DialogLayer, type DialogEvent } from "../../src/dialog/dialog-layer.ts"
import { DialogLive } from "../../src/dialog/live.ts"
import { TransactionLive } from "../../src/transaction/live.ts"
import { TransactionLayer } from "../../src/transaction/transaction-layer.ts"
import { TransportLive } from "../../src/transport/live.ts"
import { type RawUdp, rawUdp } from "../transport/support.ts"

const stack = Effect.gen(function*() {
  const layer = DialogLive.layer({ contactHost: "127.0.0.1" }).pipe(
    Layer.provideMerge(TransactionLive.layer().pipe(Layer.provideMerge(TransportLive.layer({ host: "127.0.0.1", port: 0, transports: ["udp"] }))))
  )
  const context = yield* Layer.build(layer)
  const dialog = context.mapUnsafe.get(DialogLayer.key) as DialogLayer["Service"]
  const transactions = context.mapUnsafe.get(TransactionLayer.key) as TransactionLayer["Service"]
  const events = yield* Queue.unbounded<DialogEvent>()
  yield* Stream.runForEach(dialog.events, (e) => Queue.offer(events, e)).pipe(Effect.forkScoped)
  const peer = yield* rawUdp
  return { dialog, events, peer, port: transactions.local[0]!.port }
})

let n = 0

interface Spec {
  readonly method?: string
  readonly uri?: string
  readonly version?: string
  readonly to?: string
  readonly from?: string
  readonly callId?: string
  readonly branch?: string
  readonly extra?: ReadonlyArray<string>
  readonly body?: string
}

const datagram = (peer: RawUdp, spec: Spec = {}): string => {
  n++
  const method = spec.method ?? "INVITE"
  const body = spec.body ?? ""
  return [
    `${method} ${spec.uri ?? "sip:service@127.0.0.1"} ${spec.version ?? "SIP/2.0"}`,
    `Via: SIP/2.0/UDP 127.0.0.1:${peer.port};branch=${spec.branch ?? `z9hG4bK-pol-${n}`}`,
    `From: ${spec.from ?? `<sip:alice@127.0.0.1>;tag=f${n}`}`,
    `To: ${spec.to ?? "<sip:service@127.0.0.1>"}`,
    `Call-ID: ${spec.callId ?? `policy-udp-${n}`}`,
    `CSeq: 1 ${method}`,
    "Max-Forwards: 70",
    ...(spec.extra ?? []),
    `Content-Length: ${Buffer.byteLength(body)}`,
    "",
    body
  ].join("\r\n")
}

interface Answer {
  readonly status: number
  readonly reason: string
  readonly header: (name: string) => string | undefined
  readonly text: string
}

/** The next final answer (provisionals skipped). */
const finalAnswer = (peer: RawUdp) =>
  Effect.gen(function*() {
    for (;;) {
      const text = yield* peer.receive(2000)
      if (text === undefined) return yield* Effect.die("no answer")
      const [, code, reason] = /^SIP\/2\.0 (\d{3}) ?(.*)\r\n/.exec(text) ?? []
      const status = Number(code)
      if (status < 200) continue
      const header = (name: string) => new RegExp(`^${name}: *(.*)$`, "mi").exec(text)?.[1]
      return { status, reason: reason ?? "", header, text } satisfies Answer
    }
  })

const ask = (s: Effect.Success<typeof stack>, spec: Spec = {}) =>
  Effect.andThen(s.peer.send(datagram(s.peer, spec), s.port), finalAnswer(s.peer))

const allow = "INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, UPDATE, PRACK, MESSAGE, REFER, NOTIFY"
const sdp = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n"

describe("UAS policy over UDP (RFC 3261 §8.2)", () => {
  it.live("405 with Allow for a method we know but do not implement", () =>
    Effect.gen(function*() {
      const s = yield* stack
      for (const method of ["REGISTER", "SUBSCRIBE", "PUBLISH"]) {
        const answer = yield* ask(s, { method })
        expect([method, answer.status, answer.header("Allow")]).toEqual([method, 405, allow])
        expect(answer.header("To")).toMatch(/;tag=/)
      }
    }))

  it.live("501 for a method we do not recognise (§21.5.2)", () =>
    Effect.gen(function*() {
      const s = yield* stack
      expect((yield* ask(s, { method: "FOOBAR" })).status).toBe(501)
    }))

  it.live("416 for a Request-URI scheme we do not serve", () =>
    Effect.gen(function*() {
      const s = yield* stack
      expect((yield* ask(s, { uri: "unknownscheme:unknownResource" })).status).toBe(416)
    }))

  it.live("415 with Accept for an INVITE body we cannot read; multipart with SDP is admitted", () =>
    Effect.gen(function*() {
      const s = yield* stack
      const refused = yield* ask(s, { extra: ["Content-Type: application/unknownformat"], body: "<something/>" })
      expect([refused.status, refused.header("Accept")]).toEqual([415, "application/sdp"])
      const part = `--b\r\nContent-Type: application/sdp\r\n\r\n${sdp}--b--\r\n`
      yield* s.peer.send(datagram(s.peer, { extra: ["Content-Type: multipart/mixed;boundary=b"], body: part }), s.port)
      const event = yield* Queue.take(s.events)
      expect(event._tag).toBe("IncomingInvite")
    }))

  it.live("406 with Accept when the INVITE's Accept excludes SDP", () =>
    Effect.gen(function*() {
      const s = yield* stack
      const answer = yield* ask(s, { extra: ["Accept: text/nobodyKnowsThis"] })
      expect([answer.status, answer.header("Accept")]).toEqual([406, "application/sdp"])
    }))

  it.live("420 with Unsupported for Require and Proxy-Require", () =>
    Effect.gen(function*() {
      const s = yield* stack
      const answer = yield* ask(s, { extra: ["Require: nothingSupportedHere", "Proxy-Require: noProxiesSupportedHere"] })
      expect([answer.status, answer.header("Unsupported")]).toEqual([420, "nothingSupportedHere, noProxiesSupportedHere"])
    }))

  it.live("481 for a dialog-only request without a To-tag, and for a dialog we do not have", () =>
    Effect.gen(function*() {
      const s = yield* stack
      for (const method of ["BYE", "INFO", "UPDATE", "PRACK", "NOTIFY", "REFER"]) {
        expect([method, (yield* ask(s, { method })).status]).toEqual([method, 481])
      }
      expect((yield* ask(s, { method: "BYE", to: "<sip:service@127.0.0.1>;tag=nosuchdialog" })).status).toBe(481)
      expect((yield* ask(s, { method: "INFO", to: "<sip:service@127.0.0.1>;tag=nosuchdialog" })).status).toBe(481)
    }))

  it.live("505 for another SIP version; 400 with a reason for a malformed Request-URI or a missing header", () =>
    Effect.gen(function*() {
      const s = yield* stack
      expect((yield* ask(s, { version: "SIP/7.0" })).status).toBe(505)
      const lws = yield* ask(s, { uri: "sip:user@example.com; lr" })
      expect(lws.status).toBe(400)
      expect(lws.reason).toBe("Malformed Request-Line")
      const empty = yield* ask(s, { uri: "sip:" })
      expect([empty.status, empty.reason]).toEqual([400, "Malformed Request-URI"])
      const noMaxForwardsNeeded = datagram(s.peer, { extra: ["Require: x"] }).replace("Max-Forwards: 70\r\n", "")
      yield* s.peer.send(noMaxForwardsNeeded, s.port)
      expect((yield* finalAnswer(s.peer)).status).toBe(420)
      const noCSeqNumber = datagram(s.peer, { method: "OPTIONS" }).replace("CSeq: 1 OPTIONS", "CSeq: OPTIONS")
      yield* s.peer.send(noCSeqNumber, s.port)
      const bad = yield* finalAnswer(s.peer)
      expect(bad.status).toBe(400)
      expect(bad.reason).toMatch(/CSeq/)
    }))

  it.live("400 for a From or To we cannot parse: never a 2xx echoing it", () =>
    Effect.gen(function*() {
      const s = yield* stack
      const quotbal = yield* ask(s, { to: "\"Mr. J. User <sip:j.user@example.com>" })
      expect([quotbal.status, quotbal.reason]).toEqual([400, "Malformed To header"])
      const from = yield* ask(s, { method: "OPTIONS", from: "<sip:alice@" })
      expect([from.status, from.reason]).toEqual([400, "Malformed From header"])
      expect(yield* Queue.size(s.events)).toBe(0)
    }))

  it.live("482 for a merged INVITE: same From-tag, Call-ID and CSeq, another branch", () =>
    Effect.gen(function*() {
      const s = yield* stack
      const first = { from: "<sip:alice@127.0.0.1>;tag=merge", callId: "merged-1", branch: "z9hG4bK-merge-a" }
      yield* s.peer.send(datagram(s.peer, first), s.port)
      expect((yield* Queue.take(s.events))._tag).toBe("IncomingInvite")
      const merged = yield* ask(s, { ...first, branch: "z9hG4bK-merge-b" })
      expect(merged.status).toBe(482)
    }))

  it.live("OPTIONS: 200 with Allow and Accept from the layer; after drain, 503 for OPTIONS and 503 with Retry-After for INVITE", () =>
    Effect.gen(function*() {
      const s = yield* stack
      const ok = yield* ask(s, { method: "OPTIONS" })
      expect([ok.status, ok.header("Allow"), ok.header("Accept"), ok.header("Supported")]).toEqual([200, allow, "application/sdp", "100rel, timer, replaces, norefersub"])
      expect(ok.header("To")).toMatch(/;tag=/)
      yield* s.dialog.drain
      expect((yield* ask(s, { method: "OPTIONS" })).status).toBe(503)
      const invite = yield* ask(s)
      expect([invite.status, invite.header("Retry-After")]).toEqual([503, "30"])
      expect(yield* Queue.size(s.events)).toBe(0)
    }))
})
