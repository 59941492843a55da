/**
 * The real MediaEngine over UDP on 127.0.0.1: G.711 between two engines, echo, DTMF, loss statistics,
 * symmetric RTP, the port pool's scope ownership and exhaustion, the live media timeout, and WAV
 * recording and playback.
 */
import { readFile, rm } from "node:fs/promises"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Fiber, Scope, Stream } from "effect"
import { RtpHeader, RtpPacket } from "werift-rtp"
import { decode, encode } from "../../src/media/g711.ts"
import { MediaLive, makeMediaEngine } from "../../src/media/live.ts"
import { MediaEngine, type MediaEvent } from "../../src/media/media-engine.ts"
import { makeTone } from "../../src/media/sources/tone.ts"
import { parseWav } from "../../src/media/wav.ts"
import { eventually, negotiated, randomBase, rawPeer } from "./support.ts"

const base = randomBase()
let slice = 0
/** A fresh engine on its own 20-port slice of this file's random range. */
const engine = (mediaTimeoutMs = 0, pairs = 10) => {
  const min = base + 40 * slice++
  return makeMediaEngine({ host: "127.0.0.1", portMin: min, portMax: min + 2 * pairs - 1, mediaTimeoutMs })
}

const rtp = (seq: number, payload: Uint8Array, ssrc = 0xabcdef, payloadType = 0) =>
  new RtpPacket(new RtpHeader({ payloadType, sequenceNumber: seq, timestamp: seq * 160, ssrc }), Buffer.from(payload)).serialize()

const collect = (events: Stream.Stream<MediaEvent>, n: number, tag: MediaEvent["_tag"]) =>
  Stream.runCollect(Stream.take(Stream.filter(events, (e) => e._tag === tag), n)).pipe(Effect.forkChild)

const tmp = (name: string) => join(tmpdir(), `effect-sip-media-${process.pid}-${Date.now()}-${name}.wav`)

describe("MediaEngine over UDP", () => {
  it.live("two engines exchange G.711: the recorded audio is decode(encode(tone)) within the quantisation step", () =>
    Effect.gen(function*() {
      const a = yield* engine()
      const b = yield* engine()
      const alice = yield* a.open({ _tag: "Tone", frequency: 1000 })
      const bob = yield* b.open({ _tag: "Silence" })
      const path = tmp("exchange")
      const call = yield* Scope.make()
      const bobCall = yield* b.open({ _tag: "Silence" }).pipe(Scope.provide(call))
      yield* bobCall.recordTo(path)
      yield* bobCall.apply(negotiated(alice.localPort))
      yield* alice.apply(negotiated(bobCall.localPort))
      yield* bob.apply(negotiated(alice.localPort))
      yield* Effect.sleep(1300) // > 1 s: the recorder flushes once mid-call, the rest on close
      yield* Scope.close(call, Exit.void)
      const recorded = parseWav(yield* Effect.promise(() => readFile(path))) as Int16Array
      yield* Effect.promise(() => rm(path))
      expect(recorded.length).toBeGreaterThanOrEqual(160 * 50)
      expect(recorded.length % 160).toBe(0)
      const expected = new Int16Array(recorded.length)
      makeTone(1000).fill(expected)
      for (let i = 0; i < recorded.length; i++) {
        expect(Math.abs(recorded[i] - expected[i])).toBeLessThanOrEqual(Math.abs(expected[i]) / 16 + 16)
      }
      expect((yield* alice.stats).packetsSent).toBeGreaterThanOrEqual(10)
    }))

  it.live("echo returns every payload under its own SSRC, and answers the packet's source (symmetric RTP)", () =>
    Effect.gen(function*() {
      const echo = yield* (yield* engine()).open({ _tag: "Echo" })
      const peer = yield* rawPeer()
      // The SDP names a port nobody listens on: the echo must go where the packets came from.
      yield* echo.apply(negotiated(9))
      const payloads = Array.from({ length: 20 }, (_, i) => Uint8Array.from({ length: 160 }, (_, j) => (i * 7 + j) & 0xff))
      for (let i = 0; i < payloads.length; i++) yield* peer.send(rtp(1000 + i, payloads[i]), echo.localPort)
      expect(yield* eventually(() => peer.received.length >= 20)).toBe(true)
      const back = peer.received.map((r) => RtpPacket.deSerialize(r.bytes))
      expect(back.map((p) => Buffer.from(p.payload))).toEqual(payloads.map((p) => Buffer.from(p)))
      expect(back.every((p) => p.header.ssrc !== 0xabcdef)).toBe(true)
      back.slice(1).forEach((p, i) => expect(p.header.sequenceNumber).toBe((back[i].header.sequenceNumber + 1) & 0xffff))
      back.slice(1).forEach((p, i) => expect(p.header.timestamp - back[i].header.timestamp).toBe(160))
      const stats = yield* echo.stats
      expect(stats).toMatchObject({ packetsReceived: 20, packetsSent: 20, packetsLost: 0, bytesReceived: 3200 })
    }))

  it.live("packets with a payload type that was not negotiated are dropped", () =>
    Effect.gen(function*() {
      const echo = yield* (yield* engine()).open({ _tag: "Echo" })
      const peer = yield* rawPeer()
      yield* echo.apply(negotiated(peer.port))
      yield* peer.send(rtp(1, new Uint8Array(160), 1, 18), echo.localPort) // G.729: not offered
      yield* peer.send(rtp(2, new Uint8Array(160), 1, 8), echo.localPort) // PCMA: negotiated
      expect(yield* eventually(() => peer.received.length >= 1)).toBe(true)
      yield* Effect.sleep(50)
      expect(peer.received).toHaveLength(1)
      expect(RtpPacket.deSerialize(peer.received[0].bytes).header.payloadType).toBe(8)
    }))

  it.live("RFC 4733: digits sent by one engine arrive at the other as one DtmfReceived each", () =>
    Effect.gen(function*() {
      const a = yield* (yield* engine()).open({ _tag: "Silence" })
      const b = yield* (yield* engine()).open({ _tag: "Silence" })
      const digits = yield* collect(b.events, 4, "DtmfReceived")
      yield* a.apply(negotiated(b.localPort))
      yield* b.apply(negotiated(a.localPort))
      yield* a.sendDtmf("19*#")
      const got = yield* Fiber.join(digits).pipe(Effect.timeout("3 seconds"))
      expect(got.map((e) => e._tag === "DtmfReceived" && e.digit)).toEqual(["1", "9", "*", "#"])
      expect(got.every((e) => e._tag === "DtmfReceived" && e.durationMs === 100)).toBe(true)
    }))

  it.live("RFC 3550 A.3: loss shows in the stats when every 5th packet never arrives", () =>
    Effect.gen(function*() {
      const session = yield* (yield* engine()).open({ _tag: "Silence" })
      const peer = yield* rawPeer()
      yield* session.apply(negotiated(peer.port))
      for (let seq = 0; seq < 50; seq++) if (seq % 5 !== 4) yield* peer.send(rtp(seq, new Uint8Array(160)), session.localPort)
      yield* Effect.sleep(100)
      const stats = yield* session.stats
      expect(stats.packetsReceived).toBe(40)
      expect(stats.packetsLost).toBe(9) // seq 49 is the missing last one: not yet known lost
      expect(stats.lossFraction).toBeCloseTo(9 / 49, 5)
      expect(stats.mos).toBeLessThan(4)
    }))

  it.live("between two engines, a relay that drops every 5th packet shows as ~20% loss at the receiver", () =>
    Effect.gen(function*() {
      const a = yield* (yield* engine()).open({ _tag: "Tone", frequency: 440 })
      const b = yield* (yield* engine()).open({ _tag: "Silence" })
      const relay = yield* rawPeer()
      let forwarded = 0
      relay.socket.on("message", (bytes, from) => {
        if (from.port !== a.localPort) return
        if (++forwarded % 5 !== 0) relay.socket.send(bytes, b.localPort, "127.0.0.1")
      })
      yield* b.apply(negotiated(relay.port, { direction: "recvonly" }))
      yield* a.apply(negotiated(relay.port))
      yield* Effect.sleep(600)
      yield* a.apply(negotiated(relay.port, { direction: "inactive" })) // stop, then count
      yield* Effect.sleep(100)
      const stats = yield* b.stats
      expect(stats.packetsReceived).toBeGreaterThanOrEqual(16)
      // Every 5th packet missing: lost ≈ received / 4 (±1 for where the run stopped).
      expect(Math.abs(stats.packetsLost - Math.floor(forwarded / 5))).toBeLessThanOrEqual(1)
      expect(stats.lossFraction).toBeCloseTo(stats.packetsLost / (stats.packetsLost + stats.packetsReceived), 10)
      // ~1 in 5; a dropped packet at the very end of the run is not yet known lost.
      expect(stats.lossFraction).toBeGreaterThan(0.1)
      expect(stats.lossFraction).toBeLessThanOrEqual(0.2)
    }))

  it.live("closing the call's scope closes the sockets and returns the ports; a full pool fails at once", () =>
    Effect.gen(function*() {
      const media = yield* engine(0, 2)
      const call = yield* Scope.make()
      const first = yield* media.open({ _tag: "Echo" }).pipe(Scope.provide(call))
      yield* media.open({ _tag: "Echo" }).pipe(Scope.provide(call))
      expect(yield* media.portsInUse).toBe(2)
      const exhausted = yield* media.open({ _tag: "Echo" }).pipe(Effect.flip)
      expect(exhausted).toMatchObject({ _tag: "NetworkError", reason: "PortPoolExhausted" })
      yield* Scope.close(call, Exit.void)
      expect(yield* media.portsInUse).toBe(0)
      // The port is really free again: another socket can bind it.
      yield* rawPeer(first.localPort)
    }))

  it.live("spare pairs: calls take pairs bound ahead (in round-robin order), the spares are bound again after the turn, never counted as in use, and closed with the engine", () =>
    Effect.gen(function*() {
      const engineScope = yield* Scope.make()
      const media = yield* engine(0, 20).pipe(Scope.provide(engineScope)) // a quarter of 20: 5 spares
      const call = yield* Scope.make()
      const first = yield* media.open({ _tag: "Echo" }).pipe(Scope.provide(call))
      const busy = (port: number) => Effect.map(Effect.exit(Effect.scoped(rawPeer(port))), Exit.isFailure)
      yield* Effect.sleep(50) // the refill runs after the turn
      for (let pair = 1; pair <= 5; pair++) expect(yield* busy(first.localPort + 2 * pair)).toBe(true)
      expect(yield* busy(first.localPort + 2 * 6)).toBe(false)
      expect(yield* media.portsInUse).toBe(1)
      const next = []
      for (let i = 0; i < 5; i++) next.push((yield* media.open({ _tag: "Echo" }).pipe(Scope.provide(call))).localPort)
      expect(next).toEqual([1, 2, 3, 4, 5].map((pair) => first.localPort + 2 * pair))
      yield* Scope.close(call, Exit.void)
      expect(yield* media.portsInUse).toBe(0)
      yield* Effect.sleep(50) // the second refill (pairs 6 to 10) is done
      yield* Scope.close(engineScope, Exit.void)
      for (let pair = 0; pair < 20; pair++) expect(yield* busy(first.localPort + 2 * pair)).toBe(false)
    }))

  it.live("a port pair bound by another process is skipped", () =>
    Effect.gen(function*() {
      const media = yield* engine(0, 3)
      const probe = yield* media.open({ _tag: "Echo" }).pipe(Effect.scoped) // learn the first port
      const squatter = yield* rawPeer(probe.localPort + 2)
      const session = yield* media.open({ _tag: "Echo" })
      expect(session.localPort).not.toBe(squatter.port)
      expect(session.localPort + 1).not.toBe(squatter.port)
    }))

  it.live("a bind error other than a busy port is BindFailed, not a skipped pair", () =>
    Effect.gen(function*() {
      const media = yield* makeMediaEngine({ host: "192.0.2.1", portMin: base, portMax: base + 9, mediaTimeoutMs: 0 })
      const error = yield* media.open({ _tag: "Echo" }).pipe(Effect.flip)
      expect(error).toMatchObject({ _tag: "NetworkError", reason: "BindFailed" })
      expect(yield* media.portsInUse).toBe(0)
    }))

  it.live("MediaTimeout fires when no RTP arrives for mediaTimeoutMs", () =>
    Effect.gen(function*() {
      const session = yield* (yield* engine(150)).open({ _tag: "Silence" })
      const timeouts = yield* collect(session.events, 1, "MediaTimeout")
      yield* session.apply(negotiated(9))
      const [event] = yield* Fiber.join(timeouts).pipe(Effect.timeout("2 seconds"))
      expect(event._tag === "MediaTimeout" && event.silentForMs).toBeGreaterThanOrEqual(150)
    }))

  it.live("WAV: what was recorded plays back byte for byte", () =>
    Effect.gen(function*() {
      const media = yield* engine()
      const path = tmp("playback")
      const sender = yield* rawPeer()
      const tone = new Int16Array(160 * 25)
      makeTone(697).fill(tone)
      const ulaw = encode("PCMU", tone, new Uint8Array(tone.length))
      const call = yield* Scope.make()
      const recorder = yield* media.open({ _tag: "Silence" }).pipe(Scope.provide(call))
      yield* recorder.recordTo(path)
      yield* recorder.apply(negotiated(sender.port, { direction: "recvonly" }))
      for (let i = 0; i < 25; i++) yield* sender.send(rtp(i, ulaw.subarray(i * 160, (i + 1) * 160)), recorder.localPort)
      yield* Effect.sleep(100)
      expect((yield* recorder.stats).packetsReceived).toBe(25)
      yield* Scope.close(call, Exit.void)
      expect(Array.from(parseWav(yield* Effect.promise(() => readFile(path))) as Int16Array)).toEqual(Array.from(decode("PCMU", ulaw)))

      const listener = yield* rawPeer()
      const player = yield* media.open({ _tag: "File", path })
      yield* player.apply(negotiated(listener.port))
      expect(yield* eventually(() => listener.received.length >= 26)).toBe(true)
      yield* Effect.promise(() => rm(path))
      const played = Buffer.concat(listener.received.slice(0, 25).map((r) => RtpPacket.deSerialize(r.bytes).payload))
      expect(played.equals(Buffer.from(ulaw))).toBe(true)
      // After the end of a file without loop: silence, still flowing.
      expect(RtpPacket.deSerialize(listener.received[25].bytes).payload.every((b) => b === 0xff)).toBe(true)
    }))

  it.live("MediaLive.layer provides the service: open through the tag, ports owned by the caller's scope", () =>
    Effect.gen(function*() {
      const media = yield* MediaEngine
      const session = yield* media.open({ _tag: "Echo" }).pipe(Effect.scoped)
      expect(session.localAddress).toBe("127.0.0.1")
      expect(session.localPort % 2).toBe(0)
      expect(yield* media.portsInUse).toBe(0)
    }).pipe(Effect.provide(MediaLive.layer({ host: "127.0.0.1", portMin: base + 1000, portMax: base + 1019, mediaTimeoutMs: 0 }))))
})
