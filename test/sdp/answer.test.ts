/**
 * Answering real peers' offers (RFC 3264 §6): codec intersection in our preference order with the
 * offerer's payload type numbers, telephone-event kept, every other stream refused with port 0 in place.
 */
import { describe, expect, it } from "@effect/vitest"
import type { Answered } from "../../src/sdp/index.ts"
import { createAnswer, createOffer, isSdpError, newLocalMedia, parseDescription, readAnswer } from "../../src/sdp/index.ts"
import { fixture, lines, mediaOf } from "./fixtures.ts"

const local = (codecs: ReadonlyArray<string> = ["PCMU", "PCMA", "G722"]) =>
  newLocalMedia("192.0.2.1", 40000, codecs, { sessionId: "777" })

const answer = (name: string, codecs?: ReadonlyArray<string>): Answered => {
  const result = createAnswer(local(codecs), fixture(name))
  if (isSdpError(result)) throw new Error(`${name}: ${result.message}`)
  return result
}

describe("createAnswer", () => {
  it("answers the SIPp default uac offer with PCMU on our port", () => {
    const { sdp, negotiated } = answer("sipp-uac")
    expect(lines(sdp)).toEqual([
      "v=0", "o=- 777 1 IN IP4 192.0.2.1", "s=effect-sip", "c=IN IP4 192.0.2.1", "t=0 0",
      "m=audio 40000 RTP/AVP 0", "a=rtpmap:0 PCMU/8000", "a=ptime:20", "a=sendrecv"
    ])
    expect(negotiated).toEqual({
      remoteAddress: "127.0.0.1", remotePort: 6000, remoteRtcpPort: 6001, rtcpMux: false,
      codec: { payloadType: 0, name: "PCMU", clockRate: 8000 },
      codecs: [{ payloadType: 0, name: "PCMU", clockRate: 8000 }],
      ptime: 20, direction: "sendrecv", remoteHold: false
    })
  })

  it("Linphone: many codecs, three telephone-event rates: keeps the 8 kHz one with the offerer's type, a=rtcp honoured", () => {
    const { sdp, negotiated } = answer("linphone")
    const [audio] = mediaOf(sdp)
    expect(audio.payloads).toBe("0 8 100")
    expect(audio.rtp.map((r) => `${r.payload} ${r.codec}/${r.rate}`)).toEqual(["0 PCMU/8000", "8 PCMA/8000", "100 telephone-event/8000"])
    expect(negotiated).toMatchObject({
      remoteAddress: "192.168.1.23", remotePort: 7078, remoteRtcpPort: 7079,
      codec: { name: "PCMU", payloadType: 0 }, telephoneEvent: { payloadType: 100, clockRate: 8000 }
    })
    // We do no ICE: the answer carries none of the offer's ICE attributes (RFC 8445 §5.4 fallback to c=/m=).
    expect(sdp).not.toContain("a=candidate")
  })

  it("§6.1: our configured preference order wins over the offerer's (baresip offers opus, G722 first)", () => {
    const { sdp, negotiated } = answer("baresip")
    expect(mediaOf(sdp)[0].payloads).toBe("0 8 9 101")
    expect(negotiated.codec.name).toBe("PCMU")
    expect(negotiated.codecs.map((c) => c.name)).toEqual(["PCMU", "PCMA", "G722"])
    expect(sdp).toContain("a=fmtp:101 0-15")
    const wideband = answer("baresip", ["G722", "PCMA"])
    expect(mediaOf(wideband.sdp)[0].payloads).toBe("9 8 101")
    expect(wideband.negotiated.codec).toEqual({ payloadType: 9, name: "G722", clockRate: 8000 })
  })

  it("the answer uses the offerer's dynamic payload numbers (§6.1): opus as 111 for a gateway, as 106 for Zoiper", () => {
    const gateway = answer("gateway-avpf-ice", ["opus", "PCMU"])
    expect(mediaOf(gateway.sdp)[0].payloads).toBe("111 0 126")
    expect(gateway.negotiated.codec).toEqual({ payloadType: 111, name: "OPUS", clockRate: 48000, channels: 2 })
    expect(gateway.sdp).toContain("a=rtpmap:111 opus/48000/2")
    expect(gateway.sdp).toContain("a=fmtp:111 minptime=10;useinbandfec=1")
    const zoiper = answer("zoiper", ["opus"])
    expect(zoiper.negotiated.codec.payloadType).toBe(106)
    // RFC 4733 §2.1: the event clock follows the codec's, so the 48 kHz telephone-event (98) goes with opus.
    expect(zoiper.negotiated.telephoneEvent).toEqual({ payloadType: 98, clockRate: 48000 })
  })

  it("Zoiper: RFC 5761 rtcp-mux is accepted and RTCP goes to the RTP port; telephone-event 101 at 8 kHz with G.711", () => {
    const { sdp, negotiated } = answer("zoiper")
    expect(mediaOf(sdp)[0]).toMatchObject({ payloads: "0 8 9 101", rtcpMux: "rtcp-mux" })
    expect(negotiated).toMatchObject({ rtcpMux: true, remotePort: 8000, remoteRtcpPort: 8000, telephoneEvent: { payloadType: 101 } })
  })

  it("Bria with video: media-level c=, a=rtcp with an address, ptime 30; the video m= line is refused with port 0 in place", () => {
    const { sdp, negotiated } = answer("bria-video")
    const media = mediaOf(sdp)
    expect(media.map((m) => [m.type, m.port, String(m.payloads)])).toEqual([
      ["audio", 40000, "0 8 9 101"],
      ["video", 0, "125 97 100"]
    ])
    expect(lines(sdp)).toContain("m=video 0 RTP/AVP 125 97 100")
    expect(media[0].ptime).toBe(30)
    expect(negotiated).toMatchObject({ remoteAddress: "198.51.100.20", remotePort: 56084, remoteRtcpPort: 56091, ptime: 30 })
  })

  it("§6: audio+video+data over AVPF with ICE: audio taken (AVPF, rtcp-mux), the rest refused, the order kept", () => {
    const { sdp, negotiated } = answer("gateway-avpf-ice")
    const media = mediaOf(sdp)
    expect(media.map((m) => [m.type, m.port, m.protocol, String(m.payloads)])).toEqual([
      ["audio", 40000, "RTP/AVPF", "0 8 126"],
      ["video", 0, "RTP/AVPF", "96 97"],
      ["application", 0, "UDP/DTLS/SCTP", "webrtc-datachannel"]
    ])
    expect(negotiated).toMatchObject({ remoteAddress: "198.51.100.30", remotePort: 40376, remoteRtcpPort: 40376, rtcpMux: true })
  })

  it("RFC 3264 §6: nothing in common is NoCommonCodec (→ 488), for a G.729-only trunk and for DTLS-SRTP WebRTC", () => {
    const trunk = createAnswer(local(), fixture("no-common-codec"))
    expect(trunk).toMatchObject({ _tag: "SdpError", problem: "NoCommonCodec" })
    expect(isSdpError(trunk) ? trunk.message : "").toContain("RTP/AVP 18 4 101")
    // Chrome offers PCMU too, but only over UDP/TLS/RTP/SAVPF: no keys, no stream.
    expect(createAnswer(local(), fixture("webrtc-chrome"))).toMatchObject({ _tag: "SdpError", problem: "NoCommonCodec" })
    // telephone-event alone is not a codec
    const eventsOnly = fixture("sipp-uac").replace("RTP/AVP 0", "RTP/AVP 101").replace("0 PCMU/8000", "101 telephone-event/8000")
    expect(createAnswer(local(), eventsOnly)).toMatchObject({ problem: "NoCommonCodec" })
  })

  it("takes the first usable audio stream and refuses a second one; a disabled (port 0) stream stays refused", () => {
    const two = fixture("sipp-uac") + "m=audio 6002 RTP/AVP 8\r\n"
    expect(mediaOf(answer1(two).sdp).map((m) => m.port)).toEqual([40000, 0])
    const firstDisabled = fixture("sipp-uac").replace("m=audio 6000", "m=audio 0") + "m=audio 6002 RTP/AVP 8\r\n"
    const result = answer1(firstDisabled)
    expect(mediaOf(result.sdp).map((m) => m.port)).toEqual([0, 40000])
    expect(result.negotiated).toMatchObject({ remotePort: 6002, codec: { name: "PCMA" } })
  })

  it("garbage offers are SdpError values with the parser's problem", () => {
    expect(createAnswer(local(), fixture("garbage-html"))).toMatchObject({ _tag: "SdpError", problem: "Unparseable" })
    expect(createAnswer(local(), fixture("no-connection"))).toMatchObject({ _tag: "SdpError", problem: "MissingConnection" })
    expect(createAnswer(local(), fixture("no-media"))).toMatchObject({ _tag: "SdpError", problem: "MissingMedia" })
  })

  it("§8: an answer after our offer bumps the version; a refused offer does not", () => {
    const ours = local()
    createOffer(ours, "sendrecv")
    createAnswer(ours, fixture("no-common-codec"))
    const { sdp } = createAnswer(ours, fixture("sipp-uac")) as Answered
    expect(parseDescription(sdp)).toMatchObject({ sessionId: "777", version: "2" })
  })

  it("two of our own ends agree: A offers, B answers, A reads the answer and sends with B's first codec", () => {
    const a = newLocalMedia("192.0.2.1", 40000, ["PCMA", "PCMU", "opus"])
    const b = newLocalMedia("192.0.2.2", 50000, ["opus", "PCMU"])
    const offer = createOffer(a, "sendrecv")
    const answered = createAnswer(b, offer) as Answered
    const read = readAnswer(a, offer, answered.sdp)
    expect(answered.negotiated).toMatchObject({ remoteAddress: "192.0.2.1", remotePort: 40000, codec: { name: "OPUS", payloadType: 96 } })
    expect(read).toMatchObject({
      _tag: "Negotiated",
      negotiated: {
        remoteAddress: "192.0.2.2", remotePort: 50000, codec: { name: "OPUS", payloadType: 96 },
        telephoneEvent: { payloadType: 97, clockRate: 48000 }
      }
    })
  })
})

const answer1 = (offer: string): Answered => {
  const result = createAnswer(local(), offer)
  if (isSdpError(result)) throw new Error(result.message)
  return result
}
