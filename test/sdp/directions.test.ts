/**
 * Directions and hold (RFC 3264 §6.1 and §8.4): what we answer to each offered direction, the legacy
 * c=0.0.0.0 hold, our own hold re-offers, and what an answer to our offer means for us.
 */
import { describe, expect, it } from "@effect/vitest"
import type { Answered, Direction } from "../../src/sdp/index.ts"
import { createAnswer, createOffer, isSdpError, newLocalMedia, readAnswer } from "../../src/sdp/index.ts"
import { fixture } from "./fixtures.ts"

const local = () => newLocalMedia("192.0.2.1", 40000, ["PCMU", "PCMA"], { sessionId: "42" })

const offerWith = (direction: Direction) => fixture("sipp-uac").replace("a=rtpmap:0 PCMU/8000", `a=rtpmap:0 PCMU/8000\r\na=${direction}`)

const answered = (result: ReturnType<typeof createAnswer>): Answered => {
  if (isSdpError(result)) throw new Error(result.message)
  return result
}

describe("answering directions (§6.1)", () => {
  const table: ReadonlyArray<readonly [Direction, Direction, boolean]> = [
    ["sendrecv", "sendrecv", false],
    ["sendonly", "recvonly", true],
    ["recvonly", "sendonly", false],
    ["inactive", "inactive", true]
  ]
  for (const [offered, expected, hold] of table) {
    it(`an offered ${offered} is answered ${expected}${hold ? ", and the peer holds us" : ""}`, () => {
      const { sdp, negotiated } = answered(createAnswer(local(), offerWith(offered)))
      expect(sdp).toContain(`a=${expected}\r\n`)
      expect(negotiated).toMatchObject({ direction: expected, remoteHold: hold })
    })
  }

  it("no direction attribute means sendrecv; a session-level one applies to the m= line (static types without rtpmap)", () => {
    expect(answered(createAnswer(local(), fixture("sipp-uac"))).negotiated.direction).toBe("sendrecv")
    expect(answered(createAnswer(local(), fixture("session-level-inactive"))).negotiated).toMatchObject({
      direction: "inactive", remoteHold: true, codec: { name: "PCMU", payloadType: 0 }, codecs: [{ payloadType: 0 }, { payloadType: 8 }]
    })
  })

  it("§8.4: the Linphone-style hold re-offer (a=sendonly) is answered recvonly", () => {
    const { sdp, negotiated } = answered(createAnswer(local(), fixture("hold-sendonly")))
    expect(sdp).toContain("a=recvonly")
    expect(negotiated).toMatchObject({ direction: "recvonly", remoteHold: true, remoteAddress: "192.168.1.23" })
  })

  it("§8.4: the legacy hold c=0.0.0.0 (RFC 2543) means the peer receives nothing: answered recvonly, remoteHold", () => {
    const { sdp, negotiated } = answered(createAnswer(local(), fixture("hold-legacy")))
    expect(sdp).toContain("a=recvonly")
    expect(sdp).toContain("c=IN IP4 192.0.2.1")
    expect(negotiated).toMatchObject({ direction: "recvonly", remoteHold: true, remoteAddress: "0.0.0.0", telephoneEvent: { payloadType: 101 } })
  })

  it("resuming after a legacy hold: the peer's next offer with a real address is sendrecv again", () => {
    const ours = local()
    answered(createAnswer(ours, fixture("hold-legacy")))
    const resume = fixture("hold-legacy").replace(/0\.0\.0\.0/g, "192.0.2.10").replace("4817 9385", "4817 9386")
    expect(answered(createAnswer(ours, resume)).negotiated).toMatchObject({ direction: "sendrecv", remoteHold: false, remoteAddress: "192.0.2.10" })
    expect(ours.version).toBe(2)
  })

  it("while we hold the peer (our last offer sendonly), its sendrecv re-offer is answered sendonly: it cannot undo our hold", () => {
    const ours = local()
    createOffer(ours, "sendonly")
    expect(answered(createAnswer(ours, offerWith("sendrecv"))).negotiated).toMatchObject({ direction: "sendonly", remoteHold: false })
    createOffer(ours, "sendrecv")
    expect(answered(createAnswer(ours, offerWith("sendrecv"))).negotiated.direction).toBe("sendrecv")
  })
})

describe("reading the answer to our offer (§7)", () => {
  const answerWith = (direction: Direction, address = "10.0.0.9") =>
    ["v=0", `o=peer 5 5 IN IP4 ${address}`, "s=-", `c=IN IP4 ${address}`, "t=0 0", "m=audio 30000 RTP/AVP 8 101",
      "a=rtpmap:8 PCMA/8000", "a=rtpmap:101 telephone-event/8000", `a=${direction}`, ""].join("\r\n")

  const cases: ReadonlyArray<readonly [Direction, Direction, Direction, boolean]> = [
    // our offer, their answer → our direction, remoteHold
    ["sendrecv", "sendrecv", "sendrecv", false],
    ["sendonly", "recvonly", "sendonly", false],
    ["sendonly", "inactive", "inactive", true],
    ["sendrecv", "sendonly", "recvonly", true],
    ["sendrecv", "recvonly", "sendonly", false],
    ["inactive", "inactive", "inactive", false]
  ]
  for (const [ours, theirs, expected, hold] of cases) {
    it(`we offered ${ours}, they answered ${theirs}: we are ${expected}`, () => {
      const me = local()
      const offer = createOffer(me, ours)
      expect(readAnswer(me, offer, answerWith(theirs))).toMatchObject({
        _tag: "Negotiated",
        negotiated: { direction: expected, remoteHold: hold, codec: { name: "PCMA", payloadType: 8 }, remotePort: 30000 }
      })
    })
  }

  it("an answer with c=0.0.0.0 means: send nothing", () => {
    const me = local()
    const offer = createOffer(me, "sendrecv")
    expect(readAnswer(me, offer, answerWith("sendrecv", "0.0.0.0"))).toMatchObject({
      negotiated: { direction: "recvonly", remoteHold: true }
    })
  })
})
