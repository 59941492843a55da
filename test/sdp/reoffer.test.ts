/**
 * Re-offers after the peer's offer (RFC 3264 §8): our hold/resume offers keep the session's m= lines in
 * place (refused ones still with port 0), its payload numbers (§8.3.2), its profile and rtcp-mux (RFC 5761
 * §5.1.3), and a session-wide o= line with the version bumped.
 */
import { describe, expect, it } from "@effect/vitest"
import { createAnswer, createOffer, isSdpError, newLocalMedia, parseDescription, readAnswer } from "../../src/sdp/index.ts"
import { fixture, lines, mediaOf } from "./fixtures.ts"

const answered = (codecs: ReadonlyArray<string>, offer: string) => {
  const local = newLocalMedia("192.0.2.1", 40000, codecs, { sessionId: "900" })
  const result = createAnswer(local, offer)
  if (isSdpError(result)) throw new Error(result.message)
  return local
}

describe("re-offers keep the session (§8)", () => {
  it("after Bria's audio+video offer, our hold re-offer still has both m= lines, video refused in place", () => {
    const local = answered(["PCMU", "PCMA"], fixture("bria-video"))
    const hold = createOffer(local, "sendonly")
    expect(lines(hold).filter((l) => l.startsWith("m=") || l.startsWith("o=") || l.startsWith("a=sendonly"))).toEqual([
      "o=- 900 2 IN IP4 192.0.2.1",
      "m=audio 40000 RTP/AVP 0 8 101",
      "a=sendonly",
      "m=video 0 RTP/AVP 125 97 100"
    ])
    // Bria answers with the same two lines; the answer reads fine.
    const reply = fixture("bria-video").replace("a=sendrecv", "a=recvonly").replace("m=video 50520", "m=video 0")
    expect(readAnswer(local, hold, reply)).toMatchObject({ _tag: "Negotiated", negotiated: { direction: "sendonly", remotePort: 56084 } })
  })

  it("§8.3.2: the gateway's numbers stay bound (opus 111, telephone-event 126); AVPF and rtcp-mux stay too", () => {
    const local = answered(["opus", "PCMU"], fixture("gateway-avpf-ice"))
    const [audio, video, data] = mediaOf(createOffer(local, "sendonly"))
    expect(audio).toMatchObject({ port: 40000, protocol: "RTP/AVPF", rtcpMux: "rtcp-mux", direction: "sendonly" })
    expect(audio.rtp.map((r) => `${r.payload} ${r.codec}/${r.rate}`)).toEqual([
      "111 opus/48000", "0 PCMU/8000", "96 telephone-event/48000", "126 telephone-event/8000"
    ])
    expect([video.port, data.port, String(data.payloads)]).toEqual([0, 0, "webrtc-datachannel"])
  })

  it("no rtcp-mux in re-offers when the peer did not offer it; a re-offer after our own offer keeps our numbers", () => {
    const local = answered(["PCMU"], fixture("linphone"))
    expect(createOffer(local, "sendrecv")).not.toContain("rtcp-mux")
    expect(mediaOf(createOffer(local, "sendrecv"))[0].payloads).toBe("0 100")
    const caller = newLocalMedia("192.0.2.1", 40000, ["opus", "PCMU"])
    const first = mediaOf(createOffer(caller, "sendrecv"))[0].payloads
    expect(mediaOf(createOffer(caller, "sendonly"))[0].payloads).toBe(first)
  })

  it("the peer's re-offer is answered with the next version of our o= line", () => {
    const local = answered(["PCMU"], fixture("linphone"))
    const again = createAnswer(local, fixture("hold-sendonly"))
    expect(isSdpError(again) ? again.message : parseDescription(again.sdp)).toMatchObject({ sessionId: "900", version: "2" })
  })
})
