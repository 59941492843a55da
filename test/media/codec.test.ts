/** Pure pieces: G.711 tables, RFC 3550 A.3/A.8 statistics, RFC 4733 payloads, WAV headers, the port pool. */
import { describe, expect, it } from "@effect/vitest"
import { decodeEvent, DtmfReceiver, encodeEvent, eventCode } from "../../src/media/dtmf.ts"
import { decode, decodeSample, encode, encodeSample } from "../../src/media/g711.ts"
import { PortPool } from "../../src/media/port-pool.ts"
import { makeTone } from "../../src/media/sources/tone.ts"
import { playPcm } from "../../src/media/sources/wav-file.ts"
import { estimateMos, ReceiverStats } from "../../src/media/stats.ts"
import { isWavError, parseWav, pcmBytes, wavHeader } from "../../src/media/wav.ts"

describe("G.711", () => {
  it("silence and full scale map to the ITU code words", () => {
    expect(encodeSample("PCMU", 0)).toBe(0xff)
    expect(encodeSample("PCMA", 0)).toBe(0xd5)
    expect(decodeSample("PCMU", 0x00)).toBe(-32124)
    expect(decodeSample("PCMU", 0x80)).toBe(32124)
    expect(decodeSample("PCMA", 0xd5)).toBe(8)
    expect(decodeSample("PCMA", 0x55)).toBe(-8)
    expect(decodeSample("PCMA", 0xaa)).toBe(32256)
  })

  for (const law of ["PCMU", "PCMA"] as const) {
    it(`${law}: decode(encode(x)) is within the quantisation step for every 16-bit sample`, () => {
      const pcm = new Int16Array(65536)
      for (let i = 0; i < 65536; i++) pcm[i] = i - 32768
      const back = decode(law, encode(law, pcm, new Uint8Array(65536)))
      let worst = 0
      for (let i = 0; i < 65536; i++) {
        const x = pcm[i]
        // Companding: the step grows with the magnitude, about 1/16 of it, never below 16 at the bottom.
        const error = Math.abs(back[i] - x) - Math.abs(x) / 16
        worst = Math.max(worst, error)
      }
      expect(worst).toBeLessThanOrEqual(16)
    })

    it(`${law}: encode(decode(b)) is the identity on code words (tables agree)`, () => {
      const bytes = Uint8Array.from({ length: 256 }, (_, i) => i)
      const again = encode(law, decode(law, bytes), new Uint8Array(256))
      for (let i = 0; i < 256; i++) {
        // μ-law has two zeros (0x7f, 0xff); both decode to 0 and re-encode as 0xff.
        if (law === "PCMU" && i === 0x7f) continue
        expect(again[i]).toBe(i)
      }
    })
  }
})

describe("RFC 3550 receiver statistics", () => {
  it("A.8: interarrival jitter on a hand-computed example", () => {
    const stats = new ReceiverStats()
    // ts 0/160/320/480 arriving at 0/20/45/60 ms: transit 0, 0, 40, 0 (timestamp units) → D = 0, 40, 40.
    // J = 0 → 0 + 40/16 = 2.5 → 2.5 + (40 − 2.5)/16 = 4.84375 units = 0.60546875 ms at 8 kHz.
    const arrivals = [0, 20, 45, 60]
    arrivals.forEach((at, i) => stats.update(7, 100 + i, 160 * i, at, 160))
    expect(stats.jitter).toBeCloseTo(4.84375, 10)
    expect(stats.jitterMs).toBeCloseTo(0.60546875, 10)
  })

  it("A.3: loss from sequence gaps, and the interval fraction lost (§6.4.1)", () => {
    const stats = new ReceiverStats()
    for (let seq = 100; seq < 110; seq++) if (seq !== 104 && seq !== 107) stats.update(1, seq, seq * 160, seq * 20, 160)
    expect(stats.expected).toBe(10)
    expect(stats.received).toBe(8)
    expect(stats.lost).toBe(2)
    expect(stats.takeIntervalFraction()).toBe(Math.floor((2 * 256) / 10))
    stats.update(1, 110, 110 * 160, 2200, 160)
    expect(stats.takeIntervalFraction()).toBe(0)
  })

  it("A.1: the extended sequence number counts wraps at 65536", () => {
    const stats = new ReceiverStats()
    for (const seq of [65534, 65535, 0, 2]) stats.update(1, seq, 0, 0, 160)
    expect(stats.cycles).toBe(65536)
    expect(stats.extendedMaxSeq).toBe(65538)
    expect(stats.lost).toBe(1)
  })

  it("A.1: a wild jump is ignored until confirmed by a second sequential packet", () => {
    const stats = new ReceiverStats()
    stats.update(1, 10, 0, 0, 160)
    expect(stats.update(1, 20000, 0, 0, 160)).toBe(false)
    expect(stats.update(1, 20001, 0, 0, 160)).toBe(true)
    expect(stats.lost).toBe(0)
  })

  it("MOS falls with loss and jitter, within 1..4.5", () => {
    const clean = estimateMos(0, 0)
    expect(clean).toBeGreaterThan(4.3)
    expect(clean).toBeLessThanOrEqual(4.5)
    expect(estimateMos(0.05, 0)).toBeLessThan(clean)
    expect(estimateMos(0.05, 80)).toBeLessThan(estimateMos(0.05, 0))
    expect(estimateMos(1, 500)).toBe(1)
  })
})

describe("RFC 4733 telephone-event", () => {
  it("§2.3: payload layout round-trips", () => {
    const bytes = encodeEvent(eventCode("#")!, true, 800)
    expect(Array.from(bytes)).toEqual([11, 0x80 | 10, 0x03, 0x20])
    expect(decodeEvent(bytes)).toEqual({ event: 11, end: true, volume: 10, duration: 800 })
  })

  it("§2.5.2: one report per event despite updates and three end packets; lost ends reported on the next event", () => {
    const receiver = new DtmfReceiver(8000)
    const got: Array<unknown> = []
    const feed = (code: number, ts: number, end: boolean, duration: number) => {
      const d = receiver.receive(encodeEvent(code, end, duration), ts)
      if (d !== undefined) got.push(d)
    }
    feed(1, 1000, false, 160); feed(1, 1000, false, 400); feed(1, 1000, true, 800); feed(1, 1000, true, 800); feed(1, 1000, true, 800)
    expect(got).toEqual([{ digit: "1", durationMs: 100 }])
    feed(12, 5000, false, 400) // "A", whose end packets are lost
    feed(9, 9000, false, 160)
    expect(got).toEqual([{ digit: "1", durationMs: 100 }, { digit: "A", durationMs: 50 }])
  })
})

describe("WAV", () => {
  it("a 16-bit PCM file written with wavHeader parses back to the same samples", () => {
    const pcm = Int16Array.from([0, 1, -1, 32767, -32768, 1234])
    const file = new Uint8Array([...wavHeader(pcm.length * 2), ...pcmBytes(pcm)])
    expect(Array.from(parseWav(file) as Int16Array)).toEqual(Array.from(pcm))
  })

  it("a G.711 μ-law WAV (format 7) decodes to linear PCM", () => {
    const header = wavHeader(4)
    const view = new DataView(header.buffer)
    view.setUint16(20, 7, true) // WAVE_FORMAT_MULAW
    view.setUint16(34, 8, true) // 8 bits per sample
    const pcm = parseWav(new Uint8Array([...header, 0xff, 0x00, 0x80, 0x7f]))
    expect(Array.from(pcm as Int16Array)).toEqual([0, -32124, 32124, 0])
  })

  it("refuses what it does not play", () => {
    expect(isWavError(parseWav(new Uint8Array(8)))).toBe(true)
    const stereo = wavHeader(4)
    new DataView(stereo.buffer).setUint16(22, 2, true)
    expect(isWavError(parseWav(new Uint8Array([...stereo, 0, 0, 0, 0])))).toBe(true)
  })
})

describe("sources", () => {
  it("a 1000 Hz tone crosses zero 2000 times a second, phase-continuous across frames", () => {
    const tone = makeTone(1000)
    const second = new Int16Array(8000)
    for (let at = 0; at < 8000; at += 160) tone.fill(second.subarray(at, at + 160))
    let crossings = 0
    for (let i = 1; i < second.length; i++) if ((second[i - 1] < 0) !== (second[i] < 0)) crossings++
    expect(Math.abs(crossings - 2000)).toBeLessThanOrEqual(2)
    expect(Math.max(...second)).toBeLessThanOrEqual(8000)
  })

  it("file playback: without loop it ends in silence; with loop it wraps", () => {
    const pcm = Int16Array.from({ length: 200 }, (_, i) => i + 1)
    const frame = new Int16Array(160)
    const once = playPcm(pcm, false)
    expect(once.fill(frame)).toBe(true)
    expect(once.fill(frame)).toBe(false)
    expect(Array.from(frame.subarray(38, 42))).toEqual([199, 200, 0, 0])
    const looped = playPcm(pcm, true)
    looped.fill(frame)
    expect(looped.fill(frame)).toBe(true)
    expect(Array.from(frame.subarray(38, 42))).toEqual([199, 200, 1, 2])
  })
})

describe("port pool", () => {
  it("RFC 3550 §11: even RTP ports, RTCP on the next, inside the inclusive range", () => {
    const pool = new PortPool(30001, 30010)
    expect(pool.size).toBe(4) // 30002, 30004, 30006, 30008 (30010 has no 30011)
    expect([...pool.candidates()]).toEqual([30002, 30004, 30006, 30008])
    pool.take(30002)
    expect(pool.inUse).toBe(1)
    expect([...pool.candidates()]).toEqual([30004, 30006, 30008])
    pool.release(30002)
    expect([...pool.candidates()][0]).toBe(30004) // round-robin: the freed pair is tried last
    // Taking (and releasing, as after a failed bind) while iterating skips nothing.
    const tried: Array<number> = []
    for (const port of pool.candidates()) {
      pool.take(port)
      tried.push(port)
      pool.release(port)
    }
    expect(tried.sort()).toEqual([30002, 30004, 30006, 30008])
  })
})
