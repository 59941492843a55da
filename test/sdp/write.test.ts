/**
 * Our SDP writer against sdp-transform's: the same text for every description offers and answers produce,
 * and sdp-transform's own text for anything else.
 */
import { describe, expect, it } from "@effect/vitest"
import type { SessionDescription } from "sdp-transform"
import { write } from "sdp-transform"
import { writeDescription } from "../../src/sdp/write.ts"

const session = (media: SessionDescription["media"], ipVer = 4, address = "127.0.0.1"): SessionDescription => ({
  version: 0,
  origin: { username: "-", sessionId: "1234567890123", sessionVersion: 7, netType: "IN", ipVer, address },
  name: "effect-sip",
  connection: { version: ipVer, ip: address },
  timing: { start: 0, stop: 0 },
  media
})

const cases: Record<string, SessionDescription> = {
  answer: session([{
    type: "audio",
    port: 30000,
    protocol: "RTP/AVP",
    payloads: "0 101",
    rtp: [{ payload: 0, codec: "PCMU", rate: 8000 }, { payload: 101, codec: "telephone-event", rate: 8000 }],
    fmtp: [{ payload: 101, config: "0-15" }],
    ptime: 20,
    direction: "sendrecv"
  }]),
  "opus, rtcp-mux, refused video, IPv6": session([
    {
      type: "audio",
      port: 40000,
      protocol: "RTP/AVP",
      payloads: "111 9",
      rtp: [{ payload: 111, codec: "opus", rate: 48000, encoding: 2 }, { payload: 9, codec: "G722", rate: 8000 }],
      fmtp: [],
      ptime: 30,
      direction: "sendonly",
      rtcpMux: "rtcp-mux"
    },
    { type: "video", port: 0, protocol: "RTP/AVP", payloads: "96", rtp: [], fmtp: [] }
  ], 6, "::1"),
  "no ptime nor direction": session([{ type: "audio", port: 1, protocol: "RTP/AVP", payloads: "8", rtp: [], fmtp: [] }])
}

describe("writeDescription", () => {
  for (const [name, description] of Object.entries(cases)) {
    it(`writes what sdp-transform writes: ${name}`, () => {
      expect(writeDescription(structuredClone(description))).toBe(write(structuredClone(description)))
    })
  }

  it("leaves a description with other fields to sdp-transform", () => {
    const withBandwidth: SessionDescription = { ...cases.answer, bandwidth: [{ type: "AS", limit: 64 }] }
    expect(writeDescription(structuredClone(withBandwidth))).toBe(write(structuredClone(withBandwidth)))
  })
})
