/**
 * SDES (RFC 4568): RTP/SAVP offers with a=crypto answered with our own key; what we cannot use refused.
 */
import { describe, expect, it } from "@effect/vitest"
import { usableCrypto } from "../../src/sdp/crypto.ts"
import { createAnswer, createOffer, isSdpError, newLocalMedia, parseDescription, readAnswer } from "../../src/sdp/index.ts"

const KEY = "WVNfX19zZW1jdGwgKCkgewkyMjA7fQp9CnVubGVz" // 30 bytes
const offer = (protocol: string, crypto: ReadonlyArray<string>) =>
  ["v=0", "o=- 1 1 IN IP4 127.0.0.1", "s=-", "c=IN IP4 127.0.0.1", "t=0 0", `m=audio 7000 ${protocol} 0`,
    "a=rtpmap:0 PCMU/8000", ...crypto.map((c) => `a=crypto:${c}`), ""].join("\r\n")

describe("SDES a=crypto", () => {
  it("an RTP/SAVP offer is answered RTP/SAVP with our own 30-byte key under the accepted tag", () => {
    const local = newLocalMedia("192.0.2.1", 40000, ["PCMU"], { sessionId: "9" })
    const result = createAnswer(local, offer("RTP/SAVP", [`2 AES_CM_128_HMAC_SHA1_32 inline:${KEY}`, `3 AES_CM_128_HMAC_SHA1_80 inline:${KEY}|2^20`]))
    if (isSdpError(result)) throw new Error(result.message)
    expect(result.sdp).toContain("m=audio 40000 RTP/SAVP 0\r\n")
    const ours = /a=crypto:3 AES_CM_128_HMAC_SHA1_80 inline:([A-Za-z0-9+/=]+)\r\n/.exec(result.sdp)
    expect(ours).not.toBeNull()
    expect(Buffer.from(ours![1], "base64").length).toBe(30)
    expect(ours![1]).not.toBe(KEY)
    expect(result.negotiated.srtp?.suite).toBe("AES_CM_128_HMAC_SHA1_80")
    expect(Buffer.from(result.negotiated.srtp!.remote).toString("base64")).toBe(KEY)
    expect(Buffer.from(result.negotiated.srtp!.local).toString("base64")).toBe(ours![1])
    // A re-offer (hold) keeps the profile and our key.
    const reoffer = createOffer(local, "sendonly")
    expect(reoffer).toContain("m=audio 40000 RTP/SAVP 0 101\r\n")
    expect(reoffer).toContain(`a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:${ours![1]}\r\n`)
  })

  it("RTP/SAVP with no key we can use (other suite, MKI, short key, none) is refused: 488", () => {
    for (const crypto of [[`1 AES_CM_128_HMAC_SHA1_32 inline:${KEY}`], [`1 AES_CM_128_HMAC_SHA1_80 inline:${KEY}|2^20|1:4`], ["1 AES_CM_128_HMAC_SHA1_80 inline:AAAA"], []]) {
      const result = createAnswer(newLocalMedia("192.0.2.1", 40000, ["PCMU"]), offer("RTP/SAVP", crypto))
      expect(isSdpError(result) && result.problem).toBe("NoCommonCodec")
    }
    expect(usableCrypto([{ id: 1, suite: "AES_CM_128_HMAC_SHA1_80", config: `inline:${KEY}|2^31` }])?.tag).toBe(1)
  })

  it("our SAVP offer and the peer's SAVP answer give each side the other's key", () => {
    const caller = newLocalMedia("192.0.2.1", 40000, ["PCMU"], { srtp: true })
    const callee = newLocalMedia("192.0.2.2", 50000, ["PCMU"])
    const sdpOffer = createOffer(caller, "sendrecv")
    expect(parseDescription(sdpOffer)).toMatchObject({ media: [{ protocol: "RTP/SAVP" }] })
    const answered = createAnswer(callee, sdpOffer)
    if (isSdpError(answered)) throw new Error(answered.message)
    const read = readAnswer(caller, sdpOffer, answered.sdp)
    if (isSdpError(read)) throw new Error(read.message)
    expect(read.negotiated.srtp!.local).toEqual(answered.negotiated.srtp!.remote)
    expect(read.negotiated.srtp!.remote).toEqual(answered.negotiated.srtp!.local)
    // An answer without a=crypto to our SAVP offer is unusable.
    const bare = answered.sdp.replace(/a=crypto:[^\r]*\r\n/, "")
    expect(isSdpError(readAnswer(caller, sdpOffer, bare))).toBe(true)
  })
})
