import { describe, expect, it } from "@effect/vitest"
import { randomBytes } from "node:crypto"
import { SrtpStreams } from "../../src/media/srtp.ts"
import { writeRtp } from "../../src/media/rtp-header.ts"
import { SRTP_SUITE } from "../../src/sdp/crypto.ts"

const pair = () => {
  const a = new Uint8Array(randomBytes(30))
  const b = new Uint8Array(randomBytes(30))
  return { alice: new SrtpStreams({ suite: SRTP_SUITE, local: a, remote: b }), bob: new SrtpStreams({ suite: SRTP_SUITE, local: b, remote: a }) }
}

const packet = (seq: number) => writeRtp(0, false, seq & 0xffff, seq * 160, 0xabcdef01, new Uint8Array(160).fill(seq & 0xff))

describe("SRTP streams (RFC 3711)", () => {
  it("round trip; authentication failures and replays are dropped and counted; old packets beyond the window too", () => {
    const { alice, bob } = pair()
    const wire = Array.from({ length: 100 }, (_, i) => alice.protectRtp(packet(65500 + i)))
    // Across the sequence number wrap (65535 → 0): the rollover is tracked.
    for (let i = 0; i < 100; i++) expect(Buffer.from(bob.unprotectRtp(wire[i])!).equals(packet(65500 + i))).toBe(true)
    expect(bob.unprotectRtp(wire[99])).toBeUndefined()
    expect(bob.unprotectRtp(wire[10])).toBeUndefined()
    expect(bob.replayed).toBe(2)
    const forged = Buffer.from(alice.protectRtp(packet(65700)))
    forged[30] ^= 0x80
    expect(bob.unprotectRtp(forged)).toBeUndefined()
    expect(bob.authFailures).toBe(1)
    // Reordered within the window is fine.
    const late = [alice.protectRtp(packet(65702)), alice.protectRtp(packet(65701))]
    expect(bob.unprotectRtp(late[0])).toBeDefined()
    expect(bob.unprotectRtp(late[1])).toBeDefined()
  })

  it("SRTCP round trip; a forged report is dropped", () => {
    const { alice, bob } = pair()
    const report = Buffer.from("80c90001abcdef01", "hex")
    const sent = alice.protectRtcp(report)
    expect(Buffer.from(bob.unprotectRtcp(sent)!).equals(report)).toBe(true)
    const forged = Buffer.from(sent)
    forged[5] ^= 1
    expect(bob.unprotectRtcp(forged)).toBeUndefined()
    expect(bob.authFailures).toBe(1)
  })
})
