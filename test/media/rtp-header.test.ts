/** The hand-written RTP header codec against werift-rtp as the reference (RFC 3550 §5.1, §5.3.1). */
import { describe, expect, it } from "@effect/vitest"
import { RtpHeader, RtpPacket } from "werift-rtp"
import { makeRtpView, readRtp, writeRtp } from "../../src/media/rtp-header.ts"

describe("RTP fixed header", () => {
  it("what we write, werift reads", () => {
    const payload = Uint8Array.from({ length: 160 }, (_, i) => i)
    const packet = RtpPacket.deSerialize(writeRtp(101, true, 65535, 0xfffffff0, 0xdeadbeef, payload))
    expect(packet.header).toMatchObject({
      version: 2, padding: false, extension: false, marker: true, payloadType: 101,
      sequenceNumber: 65535, timestamp: 0xfffffff0, ssrc: 0xdeadbeef, csrcLength: 0
    })
    expect(Buffer.from(packet.payload).equals(Buffer.from(payload))).toBe(true)
  })

  it("what werift writes — CSRCs, a one-byte header extension, padding — we read", () => {
    const header = new RtpHeader({
      payloadType: 8, marker: false, sequenceNumber: 4242, timestamp: 123456789, ssrc: 77,
      csrc: [1, 2], csrcLength: 2, extension: true, extensionProfile: 0xbede,
      extensions: [{ id: 1, payload: Buffer.from([9, 9, 9]) }],
      padding: true, paddingSize: 4
    })
    const payload = Buffer.from([1, 2, 3, 4, 5])
    const bytes = new RtpPacket(header, payload).serialize()
    const view = makeRtpView()
    expect(readRtp(bytes, view)).toBe(true)
    expect(view).toMatchObject({ payloadType: 8, marker: false, sequenceNumber: 4242, timestamp: 123456789, ssrc: 77 })
    expect(Array.from(bytes.subarray(view.payloadOffset, view.payloadEnd))).toEqual([1, 2, 3, 4, 5])
  })

  it("rejects what is not RTP version 2 or is truncated", () => {
    const view = makeRtpView()
    expect(readRtp(new Uint8Array(11), view)).toBe(false)
    const v1 = writeRtp(0, false, 1, 1, 1, new Uint8Array(4))
    v1[0] = 0x40
    expect(readRtp(v1, view)).toBe(false)
    const ext = writeRtp(0, false, 1, 1, 1, new Uint8Array(0))
    ext[0] = 0x90 // says an extension follows, but there is none
    expect(readRtp(ext, view)).toBe(false)
  })
})
