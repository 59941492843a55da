/**
 * Reading remote descriptions: real peers' bodies parse into what negotiation needs, and garbage is an
 * SdpError value (never a throw), whatever sdp-transform makes of it.
 */
import { describe, expect, it } from "@effect/vitest"
import { isSdpError, parseDescription, summarize } from "../../src/sdp/index.ts"
import { fixture } from "./fixtures.ts"

const parsed = (name: string) => {
  const description = parseDescription(fixture(name))
  if (isSdpError(description)) throw new Error(`${name}: ${description.message}`)
  return description
}

describe("parseDescription", () => {
  it("reads the SIPp default uac offer", () => {
    const d = parsed("sipp-uac")
    expect(d).toMatchObject({ sessionId: "53655765", version: "2353687637" })
    expect(d.media).toHaveLength(1)
    expect(d.media[0]).toMatchObject({
      type: "audio", port: 6000, protocol: "RTP/AVP", payloadTypes: [0], address: "127.0.0.1", direction: "sendrecv",
      rtcpMux: false, rtcpPort: undefined, ptime: undefined
    })
  })

  it("RFC 4566 §5.7: a media-level c= overrides the session-level one", () => {
    const [audio, video] = parsed("bria-video").media
    expect(audio.address).toBe("198.51.100.20")
    expect(video.address).toBe("203.0.113.7")
    expect(audio).toMatchObject({ ptime: 30, rtcpPort: 56091, payloadTypes: [8, 0, 9, 101] })
  })

  it("RFC 3264 §5.1: a session-level direction applies to m= lines without their own", () => {
    expect(parsed("session-level-inactive").media[0].direction).toBe("inactive")
    expect(parsed("hold-sendonly").media[0].direction).toBe("sendonly")
  })

  it("reads every m= line of a WebRTC offer, in order, with rtcp-mux", () => {
    const d = parsed("webrtc-chrome")
    expect(d.media.map((m) => [m.type, m.protocol, m.address, m.rtcpMux])).toEqual([
      ["audio", "UDP/TLS/RTP/SAVPF", "0.0.0.0", true],
      ["video", "UDP/TLS/RTP/SAVPF", "0.0.0.0", true]
    ])
    expect(d.sessionId).toBe("4611731400430051336")
    const g = parsed("gateway-avpf-ice")
    expect(g.media.map((m) => m.type)).toEqual(["audio", "video", "application"])
    expect(g.media[2]).toMatchObject({ payloads: "webrtc-datachannel", payloadTypes: [] })
  })

  it("accepts bare LF line ends (some peers send them)", () => {
    const d = parseDescription(fixture("linphone").replace(/\r\n/g, "\n"))
    expect(isSdpError(d) ? d.message : d.media[0].port).toBe(7078)
  })

  describe("garbage is a typed value, never a throw", () => {
    const cases: ReadonlyArray<readonly [string, string, string]> = [
      ["an HTML error page", fixture("garbage-html"), "Unparseable"],
      ["no m= line", fixture("no-media"), "MissingMedia"],
      ["no c= line anywhere", fixture("no-connection"), "MissingConnection"],
      ["a non-numeric m= port", fixture("bad-mline"), "Unparseable"],
      ["an empty body", "", "Unparseable"],
      ["binary noise", String.fromCharCode(...Array.from({ length: 64 }, (_, i) => (i * 37) % 256)), "Unparseable"],
      ["v=0 alone", "v=0\r\n", "Unparseable"],
      ["no o= line", "v=0\r\ns=-\r\nc=IN IP4 1.2.3.4\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n", "Unparseable"],
      ["a port beyond 65535", "v=0\r\no=- 1 1 IN IP4 1.2.3.4\r\ns=-\r\nc=IN IP4 1.2.3.4\r\nt=0 0\r\nm=audio 70000 RTP/AVP 0\r\n", "Unparseable"]
    ]
    for (const [what, text, problem] of cases) {
      it(what, () => {
        const result = parseDescription(text)
        expect(result).toMatchObject({ _tag: "SdpError", problem })
      })
    }
    it("a non-string (a caller bug) is still a value", () => {
      expect(parseDescription(undefined as unknown as string)).toMatchObject({ _tag: "SdpError", problem: "Unparseable" })
    })
  })
})

describe("summarize", () => {
  it("lists the offered audio codecs by name, in the offerer's order, static ones without rtpmap included", () => {
    expect(summarize(fixture("bria-video"))).toEqual({
      codecs: ["PCMA", "PCMU", "G722", "telephone-event"], address: "198.51.100.20", port: 56084, direction: "sendrecv"
    })
    expect(summarize(fixture("linphone"))?.codecs).toEqual([
      "opus", "SILK", "speex", "PCMU", "PCMA", "G729", "telephone-event", "telephone-event", "telephone-event"
    ])
  })

  it("summarises a valid offer we cannot take (the 488 comes later), refuses garbage (400)", () => {
    expect(summarize(fixture("webrtc-chrome"))).toMatchObject({ port: 9, address: "0.0.0.0" })
    expect(summarize(fixture("garbage-html"))).toBeUndefined()
    expect(summarize(fixture("no-connection"))).toBeUndefined()
  })
})
