/**
 * The CDR builder: one record per call from the session events (parties, answer, duration, reason, codec,
 * quality), a rejected call with its status, and at shutdown a record for every call still open.
 */
import { describe, expect, it } from "@effect/vitest"
import { makeCdrBuilder } from "../../src/cdr/cdr-builder.ts"
import type { IncomingCall, MediaStats, SessionEvent } from "../../src/index.ts"

const incoming = (sessionId: string, callId: string): SessionEvent => ({
  _tag: "IncomingCall",
  sessionId,
  call: {
    sessionId, callId, from: "<sip:alice@a.example>", to: "<sip:bob@b.example>", callerUri: "sip:alice@a.example",
    calleeUri: "sip:bob@b.example", requestUri: "sip:bob@b.example", headers: new Map(),
    source: { host: "127.0.0.1", port: 5062, transport: "udp" }
  } satisfies IncomingCall
})
const stats: MediaStats = {
  packetsSent: 100, bytesSent: 16000, packetsReceived: 98, bytesReceived: 15680, packetsLost: 2, lossFraction: 0.02, jitterMs: 3, mos: 4.1
}

describe("makeCdrBuilder", () => {
  it("an answered call: parties, answer time, duration, reason, codec and quality", () => {
    const builder = makeCdrBuilder("sip:us@127.0.0.1")
    expect(builder.observe(incoming("s1", "c1@x"), 1_000)).toBeUndefined()
    builder.observe({ _tag: "StateChanged", sessionId: "s1", from: "Ringing", to: "Active" }, 1_500)
    builder.observe({ _tag: "MediaStarted", sessionId: "s1", codec: "PCMU", remote: "127.0.0.1:4000" }, 1_510)
    builder.observe({ _tag: "StateChanged", sessionId: "s1", from: "Active", to: "OnHold" }, 3_000)
    builder.observe({ _tag: "StateChanged", sessionId: "s1", from: "OnHold", to: "Active" }, 4_000)
    builder.observe({ _tag: "MediaStopped", sessionId: "s1", stats }, 11_400)
    const cdr = builder.observe({ _tag: "CallEnded", sessionId: "s1", reason: { _tag: "NormalClearing", by: "remote" } }, 11_500)
    expect(cdr).toEqual({
      sessionId: "s1", callId: "c1@x", direction: "inbound", caller: "sip:alice@a.example", callee: "sip:bob@b.example",
      startedAt: 1_000, answeredAt: 1_500, endedAt: 11_500, durationSeconds: 10, endReason: "normal_clearing",
      status: undefined, codec: "PCMU", mos: 4.1, packetsLost: 2, lossFraction: 0.02
    })
    expect(builder.openCalls()).toBe(0)
  })

  it("a rejected outgoing call: no answer, duration 0, the status kept", () => {
    const builder = makeCdrBuilder("sip:us@127.0.0.1")
    builder.observe({ _tag: "OutgoingCall", sessionId: "s2", target: "sip:carol@c.example", headers: [] }, 0)
    const cdr = builder.observe({ _tag: "CallEnded", sessionId: "s2", reason: { _tag: "Rejected", status: 486, reason: "Busy Here" } }, 200)
    expect(cdr).toMatchObject({ direction: "outbound", caller: "sip:us@127.0.0.1", callee: "sip:carol@c.example", answeredAt: undefined, durationSeconds: 0, endReason: "rejected", status: 486 })
  })

  it("closeAll: every call still open gets a record ended by shutdown", () => {
    const builder = makeCdrBuilder("sip:us@127.0.0.1")
    builder.observe(incoming("s3", "c3@x"), 0)
    builder.observe(incoming("s4", "c4@x"), 0)
    builder.observe({ _tag: "StateChanged", sessionId: "s4", from: "Ringing", to: "Active" }, 100)
    const records = builder.closeAll(2_100)
    expect(records.map((r) => [r.callId, r.endReason, r.durationSeconds])).toEqual([["c3@x", "shutdown", 0], ["c4@x", "shutdown", 2]])
    expect(builder.openCalls()).toBe(0)
  })

  it("an end without a start is ignored", () => {
    const builder = makeCdrBuilder("sip:us@127.0.0.1")
    expect(builder.observe({ _tag: "CallEnded", sessionId: "nope", reason: { _tag: "Cancelled" } }, 0)).toBeUndefined()
  })
})
