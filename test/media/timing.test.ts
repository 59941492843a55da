/**
 * The session's clock-driven behaviour under TestClock, over an in-memory Wire: packet cadence and
 * RTP header progression (RFC 3550 §5.1), RFC 4733 DTMF sending, hold/mute, RTCP and the media timeout,
 * and that all of them share the session's one fiber (its media clock).
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Fiber, Scope, Stream } from "effect"
import { TestClock } from "effect/testing"
import { RtcpPacketConverter, RtcpRrPacket, RtcpSenderInfo, RtcpSrPacket, RtpHeader, RtpPacket } from "werift-rtp"
import { ntpFromMillis } from "../../src/media/rtcp.ts"
import { decodeEvent } from "../../src/media/dtmf.ts"
import { makeRtpSession } from "../../src/media/rtp-session.ts"
import type { MediaSource } from "../../src/media/media-engine.ts"
import { memoryWire, negotiated } from "./support.ts"

const session = (source: MediaSource, mediaTimeoutMs = 0) =>
  Effect.gen(function*() {
    const { wire, sent } = memoryWire()
    const scope = yield* Effect.scope
    const media = yield* makeRtpSession({ localAddress: "127.0.0.1", localPort: 40000, source, mediaTimeoutMs, wire, scope })
    return { media, sent, rtp: () => sent.filter((s) => !s.rtcp).map((s) => RtpPacket.deSerialize(Buffer.from(s.packet))) }
  })

const rtpFrom = (seq: number, timestamp: number, payloadType = 0, payload = new Uint8Array(160).fill(0xff)) =>
  ({ payload: new RtpPacket(new RtpHeader({ payloadType, sequenceNumber: seq, timestamp, ssrc: 0x1234 }), Buffer.from(payload)).serialize(),
    address: { _tag: "InetAddress" } as never })

describe("RTP sending on the Clock (RFC 3550 §5.1, RFC 3551 §4.2)", () => {
  it.effect("a 20 ms tone sends N frames after N*20 ms, seq+1 and ts+160 per frame, marker on the first only", () =>
    Effect.gen(function*() {
      const { media, rtp } = yield* session({ _tag: "Tone", frequency: 440 })
      yield* media.apply(negotiated(50000))
      expect(rtp()).toHaveLength(0)
      yield* TestClock.adjust("19 millis")
      expect(rtp()).toHaveLength(0)
      yield* TestClock.adjust("1 millis")
      expect(rtp()).toHaveLength(1)
      yield* TestClock.adjust("180 millis")
      const packets = rtp()
      expect(packets).toHaveLength(10)
      const first = packets[0].header
      packets.forEach((p, i) => {
        expect(p.header.payloadType).toBe(0)
        expect(p.header.ssrc).toBe(first.ssrc)
        expect(p.header.sequenceNumber).toBe((first.sequenceNumber + i) & 0xffff)
        expect(p.header.timestamp).toBe((first.timestamp + 160 * i) >>> 0)
        expect(p.header.marker).toBe(i === 0)
        expect(p.payload.length).toBe(160)
      })
      expect((yield* media.stats).packetsSent).toBe(10)
    }))

  it.effect("ptime 30 sends 240-sample frames every 30 ms", () =>
    Effect.gen(function*() {
      const { media, rtp } = yield* session({ _tag: "Silence" })
      yield* media.apply(negotiated(50000, { ptime: 30, codec: { payloadType: 8, name: "PCMA", clockRate: 8000 } }))
      yield* TestClock.adjust("300 millis")
      const packets = rtp()
      expect(packets).toHaveLength(10)
      expect(packets[1].header.timestamp - packets[0].header.timestamp).toBe(240)
      expect(packets[0].header.payloadType).toBe(8)
      expect(packets[0].payload.every((b) => b === 0xd5)).toBe(true) // A-law silence
    }))

  it.effect("RFC 3264 §5.1: recvonly and inactive send nothing; back to sendrecv starts a new talkspurt", () =>
    Effect.gen(function*() {
      const { media, rtp } = yield* session({ _tag: "Tone", frequency: 1000 })
      yield* media.apply(negotiated(50000))
      yield* TestClock.adjust("100 millis")
      expect(rtp()).toHaveLength(5)
      yield* media.apply(negotiated(50000, { direction: "recvonly" }))
      yield* TestClock.adjust("200 millis")
      yield* media.apply(negotiated(50000, { direction: "inactive" }))
      yield* TestClock.adjust("200 millis")
      expect(rtp()).toHaveLength(5)
      yield* media.apply(negotiated(50000))
      yield* TestClock.adjust("40 millis")
      const packets = rtp()
      expect(packets).toHaveLength(7)
      expect(packets[5].header.marker).toBe(true)
      expect(packets[5].header.sequenceNumber).toBe((packets[4].header.sequenceNumber + 1) & 0xffff)
      // The timestamp kept running on the media clock while we were silent (~400 ms = 3200 samples).
      expect(packets[5].header.timestamp - packets[4].header.timestamp).toBeGreaterThanOrEqual(3200)
    }))

  it.effect("mute keeps sending, but μ-law silence", () =>
    Effect.gen(function*() {
      const { media, rtp } = yield* session({ _tag: "Tone", frequency: 1000 })
      yield* media.apply(negotiated(50000))
      yield* TestClock.adjust("20 millis")
      expect(rtp()[0].payload.some((b) => b !== 0xff)).toBe(true)
      yield* media.setMuted(true)
      yield* TestClock.adjust("40 millis")
      const packets = rtp()
      expect(packets).toHaveLength(3)
      expect(packets[2].payload.every((b) => b === 0xff)).toBe(true)
    }))

  it.effect("RFC 4733 §2.5.1: a digit is a marked start packet, 50 ms updates, three end packets, one timestamp", () =>
    Effect.gen(function*() {
      const { media, rtp } = yield* session({ _tag: "Silence" })
      yield* media.apply(negotiated(50000))
      yield* TestClock.adjust("40 millis")
      const fiber = yield* Effect.forkChild(media.sendDtmf("5#"))
      yield* TestClock.adjust("1 seconds")
      yield* Fiber.join(fiber)
      const events = rtp().filter((p) => p.header.payloadType === 101)
      expect(events).toHaveLength(10)
      const [five, hash] = [events.slice(0, 5), events.slice(5)]
      for (const digit of [five, hash]) {
        expect(digit.map((p) => p.header.marker)).toEqual([true, false, false, false, false])
        expect(new Set(digit.map((p) => p.header.timestamp)).size).toBe(1)
        const decoded = digit.map((p) => decodeEvent(p.payload)!)
        expect(decoded.map((d) => d.end)).toEqual([false, false, true, true, true])
        expect(decoded.map((d) => d.duration)).toEqual([160, 400, 800, 800, 800])
      }
      expect(decodeEvent(five[0].payload)!.event).toBe(5)
      expect(decodeEvent(hash[0].payload)!.event).toBe(11)
      expect(hash[0].header.timestamp).not.toBe(five[0].header.timestamp)
      // One sequence space for audio and events (RFC 4733 §2.1): no gaps, no repeats.
      const all = rtp()
      all.slice(1).forEach((p, i) => expect(p.header.sequenceNumber).toBe((all[i].header.sequenceNumber + 1) & 0xffff))
    }))
})

describe("receiving, RTCP and the media timeout on the Clock", () => {
  it.effect("MediaTimeout after mediaTimeoutMs without RTP, once; MediaStarted on the first packet", () =>
    Effect.gen(function*() {
      const { media } = yield* session({ _tag: "Echo" }, 1000)
      const events = yield* Stream.runCollect(Stream.take(media.events, 3)).pipe(Effect.forkChild)
      yield* media.apply(negotiated(50000))
      yield* TestClock.adjust("999 millis")
      yield* media.onRtp([rtpFrom(1, 160)])
      yield* TestClock.adjust("999 millis")
      yield* TestClock.adjust("1 millis") // 1000 ms after the packet
      yield* TestClock.adjust("5 seconds") // still silent: no second timeout
      const collected = yield* Fiber.join(events)
      expect(collected.map((e) => e._tag)).toEqual(["MediaStarted", "MediaTimeout", "QualityReport"])
      expect(collected[1]).toMatchObject({ silentForMs: 1000 })
    }))

  it.effect("RFC 3550 §6.4: an SR every 5 s while sending, with our SSRC and packet count", () =>
    Effect.gen(function*() {
      const { media, sent, rtp } = yield* session({ _tag: "Silence" })
      yield* media.apply(negotiated(50000))
      yield* TestClock.adjust("4999 millis")
      expect(sent.filter((s) => s.rtcp)).toHaveLength(0)
      yield* TestClock.adjust("1 millis")
      const reports = sent.filter((s) => s.rtcp)
      expect(reports).toHaveLength(1)
      const [sr] = RtcpPacketConverter.deSerialize(Buffer.from(reports[0].packet))
      expect(sr).toBeInstanceOf(RtcpSrPacket)
      if (!(sr instanceof RtcpSrPacket)) return
      expect(sr.ssrc).toBe(rtp()[0].header.ssrc)
      // Both timers fire at 5000 ms; the count is whatever was sent before the report: 249 or 250 frames.
      const before = sent.findIndex((s) => s.rtcp)
      expect(sr.senderInfo.packetCount).toBe(before)
      expect(before).toBeGreaterThanOrEqual(249)
      expect(reports[0].target).toMatchObject({ port: 50001 })
    }))

  it.effect("RFC 5761: with rtcp-mux, RTCP goes to the RTP port, and RTCP arriving there is not taken for RTP", () =>
    Effect.gen(function*() {
      const { media, sent } = yield* session({ _tag: "Echo" })
      yield* media.apply(negotiated(50000, { rtcpMux: true, remoteRtcpPort: 50000 }))
      yield* TestClock.adjust("5 seconds")
      const reports = sent.filter((s) => s.rtcp)
      expect(reports).toHaveLength(1)
      expect(reports[0].target).toMatchObject({ port: 50000 })
      const sr = new RtcpSrPacket({ ssrc: 0x1234, senderInfo: new RtcpSenderInfo({ ntpTimestamp: ntpFromMillis(0), rtpTimestamp: 0 }) })
      const source = { payload: sr.serialize(), address: { _tag: "InetAddress" } as never }
      yield* media.onRtp([source])
      expect((yield* media.stats).packetsReceived).toBe(0)
      expect(sent).toHaveLength(1) // not echoed as if it were audio
      yield* TestClock.adjust("5 seconds")
      expect(sent[1].target).toBe(source) // symmetric RTCP: answered where it came from
    }))

  it.effect("RFC 3550 §6.4.1: after an SR from the peer, our RR carries its LSR; the block reports our loss", () =>
    Effect.gen(function*() {
      const { media, sent } = yield* session({ _tag: "Echo" })
      yield* media.apply(negotiated(50000, { direction: "recvonly" })) // we send no RTP: an RR, not an SR
      const ntp = ntpFromMillis(1_700_000_000_000)
      const sr = new RtcpSrPacket({ ssrc: 0x1234, senderInfo: new RtcpSenderInfo({ ntpTimestamp: ntp, rtpTimestamp: 0 }) })
      yield* media.onRtcp([{ payload: sr.serialize(), address: { _tag: "InetAddress" } as never }])
      for (const seq of [1, 2, 4, 5]) yield* media.onRtp([rtpFrom(seq, seq * 160)])
      yield* TestClock.adjust("5 seconds")
      const [rr] = RtcpPacketConverter.deSerialize(Buffer.from(sent.filter((s) => s.rtcp)[0].packet))
      expect(rr).toBeInstanceOf(RtcpRrPacket)
      if (!(rr instanceof RtcpRrPacket)) return
      expect(rr.reports[0]).toMatchObject({
        ssrc: 0x1234,
        lsr: Number((ntp >> 16n) & 0xffffffffn),
        dlsr: 5 * 65536,
        packetsLost: 1,
        highestSequence: 5,
        fractionLost: Math.floor(256 / 5)
      })
    }))

  it.effect("no MediaTimeout while the peer holds us (RFC 3264 §8.4) or we only send", () =>
    Effect.gen(function*() {
      const { media } = yield* session({ _tag: "Silence" }, 1000)
      const timeouts = yield* Stream.runCollect(Stream.take(Stream.filter(media.events, (e) => e._tag === "MediaTimeout"), 1)).pipe(Effect.forkChild)
      yield* media.apply(negotiated(50000, { remoteHold: true, direction: "sendonly" }))
      yield* TestClock.adjust("10 seconds")
      expect(timeouts.pollUnsafe()).toBeUndefined()
      yield* media.apply(negotiated(50000)) // resumed: the timeout clock restarts from here
      yield* TestClock.adjust("999 millis")
      expect(timeouts.pollUnsafe()).toBeUndefined()
      yield* TestClock.adjust("1 millis")
      expect((yield* Fiber.join(timeouts)).map((e) => e._tag)).toEqual(["MediaTimeout"])
    }))

  it.effect("G722: echo passes any negotiated payload type through; a tone goes out as the answer's G.711 codec", () =>
    Effect.gen(function*() {
      const g722 = { payloadType: 9, name: "G722", clockRate: 8000 }
      const pcma = { payloadType: 8, name: "PCMA", clockRate: 8000 }
      const echo = yield* session({ _tag: "Echo" })
      yield* echo.media.apply(negotiated(50000, { codec: g722, codecs: [g722] }))
      const payload = Uint8Array.from({ length: 160 }, (_, i) => i)
      yield* echo.media.onRtp([rtpFrom(7, 1120, 9, payload)])
      expect(echo.rtp().map((p) => [p.header.payloadType, Buffer.from(p.payload).equals(Buffer.from(payload))])).toEqual([[9, true]])
      // G722 only: nothing we can encode, so a tone sends nothing.
      const only = yield* session({ _tag: "Tone", frequency: 440 })
      yield* only.media.apply(negotiated(50000, { codec: g722, codecs: [g722] }))
      yield* TestClock.adjust("100 millis")
      expect(only.rtp()).toHaveLength(0)
      // G722 preferred, PCMA also agreed: the tone is sent as PCMA.
      const both = yield* session({ _tag: "Tone", frequency: 440 })
      yield* both.media.apply(negotiated(50000, { codec: g722, codecs: [g722, pcma] }))
      yield* TestClock.adjust("100 millis")
      expect(both.rtp().map((p) => p.header.payloadType)).toEqual([8, 8, 8, 8, 8])
    }))

  it.effect("a muted echo keeps the cadence but sends silence of the same size", () =>
    Effect.gen(function*() {
      const echo = yield* session({ _tag: "Echo" })
      yield* echo.media.apply(negotiated(50000))
      yield* echo.media.setMuted(true)
      yield* echo.media.onRtp([rtpFrom(1, 160, 0, new Uint8Array(160).fill(0x12))])
      const [reply] = echo.rtp()
      expect(reply.payload.length).toBe(160)
      expect(reply.payload.every((b) => b === 0xff)).toBe(true)
    }))

  it.effect("RFC 3550 §6.6: closing the session sends a BYE with our SSRC, last in the compound", () =>
    Effect.gen(function*() {
      const call = yield* Scope.make()
      const { media, sent, rtp } = yield* session({ _tag: "Silence" }).pipe(Scope.provide(call))
      yield* media.apply(negotiated(50000))
      yield* TestClock.adjust("40 millis")
      yield* Scope.close(call, Exit.void)
      const last = Buffer.from(sent[sent.length - 1].packet)
      expect(sent[sent.length - 1].rtcp).toBe(true)
      const bye = last.subarray(last.length - 8)
      expect([bye[0], bye[1], bye.readUInt16BE(2)]).toEqual([0x81, 203, 1])
      expect(bye.readUInt32BE(4)).toBe(rtp()[0].header.ssrc)
      expect(RtcpPacketConverter.deSerialize(last.subarray(0, last.length - 8))[0]).toBeInstanceOf(RtcpSrPacket)
    }))

  it.effect("RFC 3550 §6.3.7: a session that sent no RTP or RTCP closes without a BYE", () =>
    Effect.gen(function*() {
      const call = yield* Scope.make()
      const { media, sent } = yield* session({ _tag: "Silence" }).pipe(Scope.provide(call))
      yield* media.apply(negotiated(50000))
      yield* TestClock.adjust("10 millis")
      yield* Scope.close(call, Exit.void)
      expect(sent).toEqual([])
    }))

  it.effect("a File source that cannot be read plays silence instead of failing the call", () =>
    Effect.gen(function*() {
      const { media, rtp } = yield* session({ _tag: "File", path: "/nonexistent/prompt.wav" })
      yield* media.apply(negotiated(50000))
      yield* TestClock.adjust("40 millis")
      const packets = rtp()
      expect(packets).toHaveLength(2)
      expect(packets.every((p) => p.payload.every((b) => b === 0xff))).toBe(true)
    }))
})

describe("the media clock: one fiber per call for frames, RTCP and the media timeout", () => {
  it.effect("nothing forked before apply; frames every 20 ms and the RTCP report at 5 s from one fiber, across mute and hold/resume", () =>
    Effect.gen(function*() {
      const { media, sent, rtp } = yield* session({ _tag: "Tone", frequency: 440 })
      const reports = () => sent.filter((s) => s.rtcp)
      yield* TestClock.adjust("1 seconds")
      expect(media.state.clockFiber).toBeUndefined()
      expect(sent).toHaveLength(0)
      yield* media.apply(negotiated(50000)) // t = 1000
      const first = media.state.clockFiber!
      expect(first).toBeDefined()
      yield* TestClock.adjust("1 seconds") // t = 2000
      expect(rtp()).toHaveLength(50)
      yield* media.setMuted(true)
      yield* media.setMuted(false)
      expect(media.state.clockFiber).toBe(first) // mute does not restart the clock
      yield* media.apply(negotiated(50000, { direction: "recvonly" })) // hold: no frames, RTCP goes on
      const held = media.state.clockFiber!
      expect(held).not.toBe(first)
      expect(first.pollUnsafe()).toBeDefined() // the frame clock was replaced, not doubled
      yield* TestClock.adjust("1 seconds") // t = 3000
      expect(rtp()).toHaveLength(50)
      yield* media.apply(negotiated(50000)) // resume at t = 3000
      expect(held.pollUnsafe()).toBeDefined()
      yield* TestClock.adjust("19 millis")
      expect(rtp()).toHaveLength(50)
      yield* TestClock.adjust("1 millis") // the first frame one ptime after resuming
      expect(rtp()).toHaveLength(51)
      yield* TestClock.adjust("1979 millis") // t = 4999
      expect(rtp()).toHaveLength(149)
      expect(reports()).toHaveLength(0)
      yield* TestClock.adjust("1 millis") // t = 5000: 5 s after the session began, not after a restart
      expect(rtp()).toHaveLength(150)
      expect(reports()).toHaveLength(1)
      yield* TestClock.adjust("5 seconds")
      expect(rtp()).toHaveLength(400)
      expect(reports()).toHaveLength(2)
      const packets = rtp()
      packets.slice(51).forEach((p, i) => expect(p.header.timestamp).toBe((packets[50].header.timestamp + 160 * (i + 1)) >>> 0))
    }))

  it.effect("a late answer (apply 12 s after the offer) reports on the session's 5 s phase, not at once", () =>
    Effect.gen(function*() {
      const { media, sent } = yield* session({ _tag: "Echo" })
      yield* TestClock.adjust("12 seconds")
      yield* media.apply(negotiated(50000))
      yield* TestClock.adjust("2999 millis")
      expect(sent).toHaveLength(0)
      yield* TestClock.adjust("1 millis") // t = 15000
      expect(sent.filter((s) => s.rtcp)).toHaveLength(1)
    }))

  it.effect("a silence source still times out, and switching to echo (a new clock) does not postpone the check", () =>
    Effect.gen(function*() {
      const { media } = yield* session({ _tag: "Silence" }, 1000)
      const timeouts = yield* Stream.runCollect(Stream.take(Stream.filter(media.events, (e) => e._tag === "MediaTimeout"), 1)).pipe(Effect.forkChild)
      yield* media.apply(negotiated(50000))
      yield* TestClock.adjust("600 millis")
      const generating = media.state.clockFiber
      yield* media.setSource({ _tag: "Echo" })
      expect(media.state.clockFiber).not.toBe(generating)
      yield* TestClock.adjust("399 millis")
      expect(timeouts.pollUnsafe()).toBeUndefined()
      yield* TestClock.adjust("1 millis")
      expect((yield* Fiber.join(timeouts))).toMatchObject([{ _tag: "MediaTimeout", silentForMs: 1000 }])
    }))

  it.effect("a silence source times out after mediaTimeoutMs while it keeps sending frames", () =>
    Effect.gen(function*() {
      const { media, rtp } = yield* session({ _tag: "Silence" }, 300)
      const timeouts = yield* Stream.runCollect(Stream.take(Stream.filter(media.events, (e) => e._tag === "MediaTimeout"), 1)).pipe(Effect.forkChild)
      yield* media.apply(negotiated(50000))
      yield* TestClock.adjust("299 millis")
      expect(timeouts.pollUnsafe()).toBeUndefined()
      yield* TestClock.adjust("1 millis")
      expect((yield* Fiber.join(timeouts)).map((e) => e._tag)).toEqual(["MediaTimeout"])
      expect(rtp()).toHaveLength(15)
    }))
})
