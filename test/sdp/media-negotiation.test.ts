/**
 * src/session/media-negotiation.ts, the bridge the SessionCoordinator uses: the shapes it branches on,
 * a full call's exchanges (initial offer/answer, hold, resume), the late offer (RFC 3261 §13.2.1: our
 * offer in the 2xx, the answer in the ACK) and bad answers as values.
 */
import { describe, expect, it } from "@effect/vitest"
import {
  acceptAnswer, answerOffer, bodyText, makeOffer, newLocalMedia, readOffer, sdpBody
} from "../../src/session/media-negotiation.ts"
import { parseDescription, summarizeDescription } from "../../src/sdp/index.ts"
import { fixture } from "./fixtures.ts"

const sippAnswer = (port = 6000, extra = "") =>
  ["v=0", "o=user1 53655765 2353687637 IN IP4 127.0.0.1", "s=-", "c=IN IP4 127.0.0.1", "t=0 0",
    `m=audio ${port} RTP/AVP 0`, "a=rtpmap:0 PCMU/8000", ...(extra === "" ? [] : [extra]), ""].join("\r\n")

describe("media-negotiation", () => {
  it("answerOffer: Answered with SDP and NegotiatedMedia, or NoCommonCodec (488) for mismatches and for garbage", () => {
    const local = newLocalMedia("127.0.0.1", 40002, ["PCMU", "PCMA", "G722"])
    const ok = answerOffer(local, fixture("linphone"))
    expect(ok._tag).toBe("Answered")
    if (ok._tag === "Answered") {
      expect(ok.sdp).toContain("m=audio 40002 RTP/AVP 0 8 100")
      expect(ok.negotiated.codec.name).toBe("PCMU")
    }
    expect(answerOffer(local, fixture("no-common-codec"))).toMatchObject({ _tag: "NoCommonCodec", problem: "NoCommonCodec" })
    const garbage = answerOffer(local, fixture("garbage-html"))
    expect(garbage).toMatchObject({ _tag: "NoCommonCodec", problem: "Unparseable" })
    expect(garbage._tag === "NoCommonCodec" && garbage.message.length > 0).toBe(true)
  })

  it("a whole call as the caller: offer, answer, hold (sendonly) and resume, one o= version each", () => {
    const local = newLocalMedia("127.0.0.1", 40010, ["PCMU"])
    const offer = makeOffer(local, "sendrecv")
    expect(acceptAnswer(local, offer, sippAnswer())).toMatchObject({
      _tag: "Negotiated", negotiated: { remotePort: 6000, remoteRtcpPort: 6001, direction: "sendrecv", codec: { name: "PCMU" } }
    })
    const hold = makeOffer(local, "sendonly")
    expect(hold).toContain("a=sendonly")
    expect(acceptAnswer(local, hold, sippAnswer(6000, "a=recvonly"))).toMatchObject({ negotiated: { direction: "sendonly", remoteHold: false } })
    const resume = makeOffer(local, "sendrecv")
    const versions = [offer, hold, resume].map((sdp) => parseDescription(sdp))
    expect(versions.map((d) => ("version" in d ? d.version : "?"))).toEqual(["1", "2", "3"])
    expect(new Set(versions.map((d) => ("sessionId" in d ? d.sessionId : "?"))).size).toBe(1)
  })

  it("late offer: INVITE without SDP → our offer in the 2xx → the ACK's answer, read against our remembered offer", () => {
    const local = newLocalMedia("127.0.0.1", 40004, ["PCMU", "PCMA"])
    const inTwoHundred = makeOffer(local, "sendrecv")
    expect(inTwoHundred).toContain("a=rtpmap:0 PCMU/8000")
    const ack = fixture("baresip").replace("m=audio 10140 RTP/AVP 96 9 0 8 101", "m=audio 10140 RTP/AVP 8 101")
    expect(acceptAnswer(local, undefined, ack)).toMatchObject({
      _tag: "Negotiated",
      negotiated: { remoteAddress: "10.0.0.5", remotePort: 10140, codec: { name: "PCMA", payloadType: 8 }, telephoneEvent: { payloadType: 101 } }
    })
  })

  it("bad answers are BadAnswer values: no offer made, m= count changed, stream refused, codec never offered, garbage", () => {
    const fresh = newLocalMedia("127.0.0.1", 40006, ["PCMU"])
    expect(acceptAnswer(fresh, undefined, sippAnswer())).toMatchObject({ _tag: "BadAnswer", problem: "BadAnswer" })
    const local = newLocalMedia("127.0.0.1", 40006, ["PCMU"])
    const offer = makeOffer(local, "sendrecv")
    expect(acceptAnswer(local, offer, sippAnswer() + "m=video 0 RTP/AVP 96\r\n")).toMatchObject({ _tag: "BadAnswer", message: expect.stringContaining("2 m= lines") })
    expect(acceptAnswer(local, offer, sippAnswer(0))).toMatchObject({ _tag: "BadAnswer", message: expect.stringContaining("port 0") })
    const pcma = sippAnswer().replace("RTP/AVP 0", "RTP/AVP 8").replace("0 PCMU", "8 PCMA")
    expect(acceptAnswer(local, offer, pcma)).toMatchObject({ _tag: "BadAnswer", message: expect.stringContaining("no codec we offered") })
    expect(acceptAnswer(local, offer, "SIP/2.0 200 OK")).toMatchObject({ _tag: "BadAnswer", problem: "Unparseable" })
    expect(acceptAnswer(local, offer, "")).toMatchObject({ _tag: "BadAnswer" })
  })

  it("sdpBody / bodyText: application/sdp, UTF-8 both ways", () => {
    const body = sdpBody("v=0\r\ns=Café\r\n")
    expect(body.contentType).toBe("application/sdp")
    expect(Array.from(body.bytes.slice(0, 3))).toEqual([0x76, 0x3d, 0x30])
    expect(bodyText(body.bytes)).toBe("v=0\r\ns=Café\r\n")
    expect(bodyText(new Uint8Array([0x76, 0x3d, 0x30, 0xff]))).toBe("v=0\uFFFD")
  })

  it("summarizeDescription of a read offer: what IncomingCall.offer shows, undefined for a body that is not SDP", () => {
    // As the session does: read the INVITE's offer once, then summarize what was read.
    const summary = (sdp: string) => {
      const offer = readOffer(sdp)
      return offer === undefined ? undefined : summarizeDescription(offer)
    }
    expect(summary(fixture("hold-sendonly"))).toEqual({
      codecs: ["PCMU", "PCMA", "telephone-event"], address: "192.168.1.23", port: 7078, direction: "sendonly"
    })
    expect(summary("hello")).toBeUndefined()
  })
})
