import { describe, expect, it } from "@effect/vitest"
import {
  getHeader,
  getHeaders,
  headerKey,
  headerSpelling,
  isParseError,
  makeRequest,
  makeResponse,
  newBranch,
  newCallId,
  newTag,
  parseMessage,
  parseNameAddr,
  reasonPhrase,
  removeHeader,
  serialize,
  setHeader,
  type SipRequest,
  withHeader
} from "../../src/sip/index.ts"
import { loadFixture } from "../fixtures/load.ts"

const dec = new TextDecoder()
const invite = (): SipRequest => {
  const m = parseMessage(loadFixture("invite-sdp.sip"))
  if (isParseError(m) || m._tag !== "SipRequest") throw new Error("fixture")
  return m
}
const multiVia = makeRequest({
  method: "INVITE",
  uri: "sip:bob@192.0.2.4",
  headers: [
    ["Via", "SIP/2.0/UDP p2.example.com;branch=z9hG4bK2"],
    ["Record-Route", "<sip:p2.example.com;lr>"],
    ["v", "SIP/2.0/UDP p1.example.com;branch=z9hG4bK1"],
    ["From", "<sip:alice@example.com>;tag=a"],
    ["To", "<sip:bob@example.com>"],
    ["i", "call-1"],
    ["CSeq", "5 INVITE"],
    ["Max-Forwards", "69"]
  ]
})

describe("makeResponse (§8.2.6)", () => {
  it("copies every Via in order, From, To, Call-ID, CSeq; nothing else from the request", () => {
    const r = makeResponse(multiVia, 486, undefined, { toTag: "b7" })
    expect(r).toMatchObject({ _tag: "SipResponse", status: 486, reason: "Busy Here" })
    expect(r.headers.map((h) => [h.key, h.value])).toEqual([
      ["via", "SIP/2.0/UDP p2.example.com;branch=z9hG4bK2"],
      ["via", "SIP/2.0/UDP p1.example.com;branch=z9hG4bK1"],
      ["from", "<sip:alice@example.com>;tag=a"],
      ["to", "<sip:bob@example.com>;tag=b7"],
      ["call-id", "call-1"],
      ["cseq", "5 INVITE"]
    ])
  })
  it("§8.2.6.2: 100 Trying gets no To tag; an existing To tag is kept; otherwise a fresh tag", () => {
    expect(getHeader(makeResponse(multiVia, 100), "to")).toBe("<sip:bob@example.com>")
    const tagged = setHeader(multiVia, "To", "<sip:bob@example.com>;tag=old")
    expect(getHeader(makeResponse(tagged, 200, "OK", { toTag: "new" }), "to")).toBe("<sip:bob@example.com>;tag=old")
    const auto = parseNameAddr(getHeader(makeResponse(multiVia, 404), "to")!)
    expect(!isParseError(auto) && auto.tag !== undefined && auto.tag.length >= 8).toBe(true)
  })
  it("extra headers, body, custom reason; the wire form carries the right Content-Length", () => {
    const body = new TextEncoder().encode("v=0\r\n")
    const r = makeResponse(invite(), 200, "Fine", {
      toTag: "t",
      headers: [["Contact", "<sip:bob@192.0.2.4>"], ["Content-Type", "application/sdp"]],
      body
    })
    const wire = dec.decode(serialize(r))
    expect(wire.startsWith("SIP/2.0 200 Fine\r\nVia: SIP/2.0/UDP pc33.atlanta.example.com:5060;branch=z9hG4bK776asdhds;rport\r\n")).toBe(true)
    expect(wire.endsWith("Contact: <sip:bob@192.0.2.4>\r\nContent-Type: application/sdp\r\nContent-Length: 5\r\n\r\nv=0\r\n")).toBe(true)
  })
})

describe("makeRequest and header edits", () => {
  it("computes canonical keys for every spelling", () => {
    expect(multiVia.headers.map((h) => h.key)).toEqual([
      "via", "record-route", "via", "from", "to", "call-id", "cseq", "max-forwards"
    ])
    expect(getHeaders(multiVia, "via")).toHaveLength(2)
    expect(getHeader(multiVia, "call-id")).toBe("call-1")
    expect(["i", "m", "e", "l", "f", "t", "v", "s", "k", "c", "o", "u", "r", "b", "x", "y", "I", "V"].map(headerKey)).toEqual([
      "call-id", "contact", "content-encoding", "content-length", "from", "to", "via", "subject", "supported",
      "content-type", "event", "allow-events", "refer-to", "referred-by", "session-expires", "identity", "call-id", "via"
    ])
  })
  it("§7.3.1: CR/LF in a built header value are unfolded to SP, so no header can be injected", () => {
    const m = setHeader(withHeader(multiVia, "Subject", "hi\r\nEvil: yes"), "X-A", "a\n b")
    expect(getHeader(m, "subject")).toBe("hi Evil: yes")
    expect(getHeader(m, "x-a")).toBe("a b")
    const reparsed = parseMessage(serialize(m))
    expect(!isParseError(reparsed) && getHeader(reparsed, "evil")).toBe(undefined)
  })
  it("headerSpelling gives the §7.3.1 canonical spelling of a key", () => {
    expect(["call-id", "cseq", "www-authenticate", "max-forwards", "via", "x-custom-thing"].map(headerSpelling)).toEqual([
      "Call-ID", "CSeq", "WWW-Authenticate", "Max-Forwards", "Via", "X-Custom-Thing"
    ])
  })
  it("withHeader / setHeader / removeHeader return new messages and leave the original alone", () => {
    const before = multiVia.headers.length
    const added = withHeader(multiVia, "Supported", "timer")
    expect(getHeader(added, "supported")).toBe("timer")
    expect(added.headers.length).toBe(before + 1)
    const set = setHeader(multiVia, "via", "SIP/2.0/TCP only;branch=z9hG4bK9")
    expect(getHeaders(set, "via")).toEqual(["SIP/2.0/TCP only;branch=z9hG4bK9"])
    expect(set.headers[0].name).toBe("Via")
    const removed = removeHeader(multiVia, "V")
    expect(getHeaders(removed, "via")).toEqual([])
    expect(multiVia.headers.length).toBe(before)
    expect(getHeaders(multiVia, "via")).toHaveLength(2)
    expect(getHeader(setHeader(multiVia, "Expires", "60"), "expires")).toBe("60")
  })
  it("serialize: Content-Length replaced in place from the body, duplicates dropped", () => {
    const m = makeRequest({
      method: "MESSAGE",
      uri: "sip:bob@h",
      headers: [["l", "999"], ["Via", "SIP/2.0/UDP h;branch=z9hG4bK1"], ["Content-Length", "3"]],
      body: new TextEncoder().encode("hello")
    })
    expect(dec.decode(serialize(m))).toBe("MESSAGE sip:bob@h SIP/2.0\r\nl: 5\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\n\r\nhello")
    expect(dec.decode(serialize(makeRequest({ method: "BYE", uri: "sip:b@h", headers: [] })))).toBe(
      "BYE sip:b@h SIP/2.0\r\nContent-Length: 0\r\n\r\n"
    )
  })
})

describe("identifiers (§8.1.1.7, §19.3) and reason phrases (§21)", () => {
  it("branches carry the magic cookie and are unique; tags and Call-IDs are random", () => {
    const branches = new Set(Array.from({ length: 5000 }, newBranch))
    expect(branches.size).toBe(5000)
    for (const b of branches) expect(b).toMatch(/^z9hG4bK[0-9a-f]{24}$/)
    const tags = new Set(Array.from({ length: 5000 }, newTag))
    expect(tags.size).toBe(5000)
    expect(newCallId()).toMatch(/^[0-9a-f-]{36}$/)
    expect(newCallId("192.0.2.1")).toMatch(/^[0-9a-f-]{36}@192\.0\.2\.1$/)
    expect(newCallId()).not.toBe(newCallId())
  })
  it("default reason phrases, and the class phrase for unknown codes", () => {
    expect([100, 180, 183, 200, 401, 481, 487, 488, 503, 603].map(reasonPhrase)).toEqual([
      "Trying", "Ringing", "Session Progress", "OK", "Unauthorized", "Call/Transaction Does Not Exist",
      "Request Terminated", "Not Acceptable Here", "Service Unavailable", "Decline"
    ])
    expect(reasonPhrase(299)).toBe("Successful")
    expect(reasonPhrase(499)).toBe("Client Error")
  })
})
