/**
 * Our offers (RFC 3264 §5): default capabilities, codec names to payload types, and the o= line rules
 * for re-offers (§8: same session id, version + 1).
 */
import { describe, expect, it } from "@effect/vitest"
import { createOffer, newLocalMedia, parseDescription } from "../../src/sdp/index.ts"
import { lines, mediaOf } from "./fixtures.ts"

const local = (codecs: ReadonlyArray<string> = ["PCMU", "PCMA", "G722"], options = {}) =>
  newLocalMedia("192.0.2.1", 40000, codecs, { sessionId: "1234567890", ...options })

describe("createOffer", () => {
  it("§5: offers PCMU/0, PCMA/8, G722/9 and telephone-event/101 (0-16) with ptime 20, sendrecv", () => {
    const sdp = createOffer(local(), "sendrecv")
    expect(lines(sdp)).toEqual([
      "v=0",
      "o=- 1234567890 1 IN IP4 192.0.2.1",
      "s=effect-sip",
      "c=IN IP4 192.0.2.1",
      "t=0 0",
      "m=audio 40000 RTP/AVP 0 8 9 101",
      "a=rtpmap:0 PCMU/8000",
      "a=rtpmap:8 PCMA/8000",
      "a=rtpmap:9 G722/8000",
      "a=rtpmap:101 telephone-event/8000",
      "a=fmtp:101 0-16",
      "a=ptime:20",
      "a=sendrecv"
    ])
    expect(sdp.endsWith("\r\n")).toBe(true)
  })

  it("an empty codec list offers the defaults too", () => {
    expect(mediaOf(createOffer(local([]), "sendrecv"))[0].payloads).toBe("0 8 101")
  })

  it("maps names to static payload types (RFC 3551), dynamic ones for the rest, telephone-event per clock rate (101 at 8 kHz)", () => {
    const sdp = createOffer(local(["opus", "G729", "pcma", "speex/16000", "L16/16000/2", "AMR-WB", "PCMU"]), "sendrecv")
    const [audio] = mediaOf(sdp)
    expect(audio.payloads).toBe("96 18 8 97 98 99 0 100 101 102")
    expect(audio.rtp).toEqual([
      { payload: 96, codec: "opus", rate: 48000, encoding: 2 },
      { payload: 18, codec: "G729", rate: 8000 },
      { payload: 8, codec: "PCMA", rate: 8000 },
      { payload: 97, codec: "speex", rate: 16000 },
      { payload: 98, codec: "L16", rate: 16000, encoding: 2 },
      { payload: 99, codec: "AMR-WB", rate: 16000 },
      { payload: 0, codec: "PCMU", rate: 8000 },
      // RFC 4733 §2.1: the event clock is the codec's, so one telephone-event per rate in use
      { payload: 100, codec: "telephone-event", rate: 48000 },
      { payload: 101, codec: "telephone-event", rate: 8000 },
      { payload: 102, codec: "telephone-event", rate: 16000 }
    ])
    expect(audio.fmtp.map((f) => `${f.payload} ${f.config}`)).toEqual(["100 0-16", "101 0-16", "102 0-16"])
  })

  it("skips names it cannot describe, de-duplicates, and falls back to the defaults when nothing is left", () => {
    expect(mediaOf(createOffer(local(["NOSUCH", "PCMA", "pcma", "telephone-event"]), "sendrecv"))[0].payloads).toBe("8 101")
    expect(mediaOf(createOffer(local(["NOSUCH"]), "sendrecv"))[0].payloads).toBe("0 8 101")
  })

  it("without telephone-event and with rtcp-mux and another ptime when asked", () => {
    const [audio] = mediaOf(createOffer(local(["PCMU"], { telephoneEvent: false, rtcpMux: true, ptime: 30 }), "sendrecv"))
    // sdp-transform reads a lone format as a number
    expect(audio).toMatchObject({ payloads: 0, ptime: 30, rtcpMux: "rtcp-mux" })
    expect(audio.fmtp).toEqual([])
  })

  it("writes IN IP6 for an IPv6 address", () => {
    const sdp = createOffer(newLocalMedia("2001:db8::7", 40000, ["PCMU"]), "sendrecv")
    expect(sdp).toContain("c=IN IP6 2001:db8::7")
    expect(sdp).toMatch(/o=- \d+ 1 IN IP6 2001:db8::7/)
  })

  it("§8: each re-offer keeps the session id and bumps the version by one; hold is sendonly (§8.4)", () => {
    const ours = local()
    const first = parseDescription(createOffer(ours, "sendrecv"))
    const hold = createOffer(ours, "sendonly")
    const resume = parseDescription(createOffer(ours, "sendrecv"))
    expect(first).toMatchObject({ sessionId: "1234567890", version: "1" })
    expect(parseDescription(hold)).toMatchObject({ sessionId: "1234567890", version: "2" })
    expect(resume).toMatchObject({ sessionId: "1234567890", version: "3" })
    expect(hold).toContain("a=sendonly")
    expect(hold).toContain("c=IN IP4 192.0.2.1")
    expect(ours.direction).toBe("sendrecv")
  })

  it("generated session ids are numeric, within 2^62 (RFC 3264 §5), and differ between calls", () => {
    const a = newLocalMedia("192.0.2.1", 40000, ["PCMU"])
    const b = newLocalMedia("192.0.2.1", 40002, ["PCMU"])
    expect(a.sessionId).toMatch(/^\d+$/)
    expect(BigInt(a.sessionId) < 2n ** 62n).toBe(true)
    expect(a.sessionId).not.toBe(b.sessionId)
  })
})
