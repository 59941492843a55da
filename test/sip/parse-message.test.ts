import { describe, expect, it } from "@effect/vitest"
import {
  getHeader,
  getHeaders,
  isParseError,
  parseCSeq,
  parseMessage,
  parseNameAddr,
  parseUri,
  parseVia,
  type ParseError,
  type SipMessage,
  type SipRequest,
  type SipResponse
} from "../../src/sip/index.ts"
import { fixtureText, loadFixture } from "../fixtures/load.ts"

const enc = new TextEncoder()
const dec = new TextDecoder()
const bytes = (text: string): Uint8Array => enc.encode(text)
const ok = (input: Uint8Array | string, options?: { stream?: boolean }): SipMessage => {
  const m = parseMessage(typeof input === "string" ? bytes(input) : input, options)
  if (isParseError(m)) throw new Error(`unexpected ParseError: ${m.message}`)
  return m
}
const bad = (input: Uint8Array | string, options?: { stream?: boolean }): ParseError => {
  const m = parseMessage(typeof input === "string" ? bytes(input) : input, options)
  if (!isParseError(m)) throw new Error("expected a ParseError")
  return m
}
const value = <A>(x: A | ParseError): A => {
  if (isParseError(x)) throw new Error(`unexpected ParseError: ${x.message}`)
  return x
}

/** A minimal valid OPTIONS with the given edits: lines replaced by name, extra lines, body. */
const options = (edit: { drop?: string; extra?: ReadonlyArray<string>; body?: string; first?: string } = {}): string => {
  const lines = [
    edit.first ?? "OPTIONS sip:bob@example.com SIP/2.0",
    "Via: SIP/2.0/UDP 192.0.2.1:5060;branch=z9hG4bK-1",
    "Max-Forwards: 70",
    "From: <sip:alice@example.com>;tag=a1",
    "To: <sip:bob@example.com>",
    "Call-ID: c1@192.0.2.1",
    "CSeq: 1 OPTIONS"
  ].filter((l) => edit.drop === undefined || !l.startsWith(edit.drop + ":"))
  return [...lines, ...(edit.extra ?? []), "", edit.body ?? ""].join("\r\n")
}

describe("parseMessage: valid messages (RFC 4475 §3.1.1 kinds)", () => {
  it("a typical INVITE with SDP: start line, headers in order, body bytes", () => {
    const m = ok(loadFixture("invite-sdp.sip")) as SipRequest
    expect(m._tag).toBe("SipRequest")
    expect(m.method).toBe("INVITE")
    expect(m.uri).toBe("sip:bob@biloxi.example.com")
    expect(m.headers[0]).toEqual({
      name: "Via",
      key: "via",
      value: "SIP/2.0/UDP pc33.atlanta.example.com:5060;branch=z9hG4bK776asdhds;rport"
    })
    expect(getHeaders(m, "allow")).toEqual(["INVITE", "ACK", "CANCEL", "OPTIONS", "BYE", "REFER", "NOTIFY"])
    expect(dec.decode(m.body)).toMatch(/^v=0\r\n[\s\S]*a=sendrecv\r\n$/)
    expect(Number(getHeader(m, "content-length"))).toBe(m.body.length)
  })

  it("§3.1.1.1 wsinv: odd whitespace, folding, case-insensitive and compact names", () => {
    const m = ok(loadFixture("wsinv.sip")) as SipRequest
    expect(m.uri).toBe("sip:vivekg@chair-dnrc.example.com;unknownparam")
    expect(getHeader(m, "to")).toBe("sip:vivekg@chair-dnrc.example.com ;   tag    = 1918181833n")
    expect(value(parseNameAddr(getHeader(m, "to")!)).tag).toBe("1918181833n")
    const from = value(parseNameAddr(getHeader(m, "from")!))
    expect(from.displayName).toBe('J Rosenberg \\"')
    expect(from.tag).toBe("98asjd8")
    expect(getHeader(m, "max-forwards")).toBe("0068")
    expect(value(parseCSeq(getHeader(m, "cseq")!))).toEqual({ seq: 9, method: "INVITE" })
    expect(getHeader(m, "subject")).toBe("")
    expect(getHeader(m, "newfangledheader")).toBe("newfangled value continued newfangled value")
    expect(getHeader(m, "unknownheaderwithunusualvalue")).toBe(";;,,;;,;")
    const vias = getHeaders(m, "via").map((v) => value(parseVia(v)))
    expect(vias.map((v) => [v.transport, v.host, v.branch])).toEqual([
      ["UDP", "192.0.2.2", "390skdjuw"],
      ["TCP", "spindle.example.com", "z9hG4bK9ikj8"],
      ["UDP", "192.168.255.111", "z9hG4bK30239"]
    ])
    // The compact "v" keeps its spelling as name, its long form as key.
    expect(m.headers.filter((h) => h.key === "via").map((h) => h.name)).toEqual(["Via", "v", "v"])
    const contact = value(parseNameAddr(getHeader(m, "contact")!))
    expect(contact).toMatchObject({
      displayName: 'Quoted string ""',
      uri: "sip:jdrosen@example.com",
      params: { newparam: "newvalue", secondparam: "", q: "0.33" }
    })
    expect(value(parseUri(value(parseNameAddr(getHeader(m, "route")!)).uri)).params).toEqual({
      lr: "",
      unknownwith: "value",
      "unknown-no-value": ""
    })
    expect(dec.decode(m.body).startsWith("v=0\r\n")).toBe(true)
  })

  it("§3.1.1.3 esc01: %-escapes in URIs are kept raw in the message and decoded by parseUri", () => {
    const m = ok(loadFixture("esc01.sip")) as SipRequest
    expect(value(parseUri(m.uri))).toMatchObject({ user: "sips:user@example.com", host: "example.net" })
    expect(value(parseUri(getHeader(m, "to")!)).user).toBe("user")
    expect(value(parseUri(value(parseNameAddr(getHeader(m, "from")!)).uri)).user).toBe("I have spaces")
    const contact = value(parseUri(value(parseNameAddr(getHeader(m, "contact")!)).uri))
    expect(contact).toMatchObject({ user: "caller", params: { lr: "", name: "value%41" } })
    expect(getHeader(m, "content-type")).toBe("application/sdp")
    expect(getHeader(m, "call-id")).toBe("esc01.239409asdfakjkn23onasd0-3234")
  })

  it("RFC 4475 novelsc / unkmeth, §8.2.1: unknown schemes and unknown methods are accepted", () => {
    const sc = ok(loadFixture("novelsc.sip")) as SipRequest
    expect(sc.uri).toBe("soap.beep://192.0.2.103:3002")
    expect(value(parseUri(sc.uri))).toMatchObject({ scheme: "soap.beep", host: "//192.0.2.103:3002" })
    expect(sc.body.length).toBe(0)
    const um = ok(loadFixture("unkmeth.sip")) as SipRequest
    expect(um.method).toBe("NEWMETHOD")
    expect(dec.decode(um.body)).toBe("this is a message body of an unknown type\r\n")
  })

  it("§7.3.1: list headers split at top-level commas only; others and quoted/bracketed commas kept", () => {
    const m = ok(loadFixture("multi-values.sip")) as SipResponse
    expect(m.status).toBe(200)
    expect(m.reason).toBe("OK")
    expect(getHeaders(m, "via").map((v) => value(parseVia(v)).branch)).toEqual(["z9hG4bK1", "z9hG4bK2", "z9hG4bK3"])
    expect(getHeader(m, "to")).toBe('"Doe, John" <sip:john@example.com>;tag=t1')
    expect(getHeaders(m, "contact")).toEqual(['"Smith, Jane" <sip:jane@example.com;x=a,b>', "<sip:jane@192.0.2.9>;q=0.5"])
    expect(getHeaders(m, "allow")).toEqual(["INVITE", "ACK", "BYE", "CANCEL"])
    expect(getHeaders(m, "supported")).toEqual(["timer", "100rel", "path"])
    expect(getHeaders(m, "www-authenticate")).toHaveLength(1)
    expect(getHeader(m, "date")).toBe("Sat, 13 Nov 2010 23:29:00 GMT")
    expect(getHeaders(m, "warning")).toEqual([
      '370 devnull "Choose a bigger pipe, please"',
      '399 example.com "Other, \\"stuff\\""'
    ])
    expect(getHeaders(m, "record-route")).toEqual(["<sip:p1.example.com;lr>", "<sip:p2.example.com;lr>"])
    expect(getHeader(m, "subject")).toBe("Lunch, today?")
  })

  it("§10.2.2: Contact: * is kept; IPv6 sent-by with rport flag", () => {
    const m = ok(loadFixture("register-star.sip"))
    expect(getHeaders(m, "contact")).toEqual(["*"])
    expect(value(parseVia(getHeader(m, "via")!))).toMatchObject({ host: "[2001:db8::9]", port: 5070, rport: null })
    expect(getHeader(m, "authorization")).toContain('response="dfe56131d1958046689d83306477ecc", qop=auth')
  })

  it("§3.1.1.7 longreq-like long values: 200 Vias, a 4 KB header, a 70 KB body (slow path)", () => {
    const vias = Array.from({ length: 200 }, (_, i) => `Via: SIP/2.0/UDP h${i}.example.com;branch=z9hG4bK${i}`)
    const long = "x".repeat(4096)
    const body = "a".repeat(70_000)
    const m = ok(options({ extra: [...vias, `X-Long: ${long}`, `Content-Length: ${body.length}`], body }))
    expect(getHeaders(m, "via")).toHaveLength(201)
    expect(getHeader(m, "x-long")).toBe(long)
    expect(m.body.length).toBe(70_000)
  })

  it("UTF-8 in a display name and reason phrase decodes right and keeps the body offset", () => {
    const text = options({ extra: ['Contact: "Jérôme 日本" <sip:j@example.com>', "Content-Length: 4"], body: "ü=1\n" })
    const m = ok(text)
    expect(value(parseNameAddr(getHeader(m, "contact")!)).displayName).toBe("Jérôme 日本")
    expect(dec.decode(m.body)).toBe("ü=1")
    const r = ok("SIP/2.0 486 Occupé\r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\nFrom: <sip:a@h>;tag=1\r\nTo: <sip:b@h>;tag=2\r\nCall-ID: x\r\nCSeq: 1 INVITE\r\n\r\n") as SipResponse
    expect(r.reason).toBe("Occupé")
  })

  it("§7.5 leading CRLFs ignored; bare LF line ends accepted; header names case-insensitive", () => {
    const m = ok("\r\n\r\n" + options().replace(/\r\n/g, "\n").replace("Call-ID", "CALL-id"))
    expect(getHeader(m, "call-id")).toBe("c1@192.0.2.1")
    expect(getHeader(m, "Call-ID")).toBe("c1@192.0.2.1")
    expect(getHeader(m, "i")).toBe("c1@192.0.2.1")
  })

  it("§18.3 UDP: no Content-Length → rest of datagram; shorter Content-Length truncates", () => {
    expect(dec.decode(ok(options({ body: "abc\r\n" })).body)).toBe("abc\r\n")
    expect(dec.decode(ok(options({ extra: ["Content-Length: 3"], body: "abcdef" })).body)).toBe("abc")
    expect(ok(options({ extra: ["l: 0"], body: "junk" })).body.length).toBe(0)
  })

  it("input that is a view into a larger buffer (pooled Buffer): the body view points at the right bytes", () => {
    const text = options({ extra: ["Content-Length: 5"], body: "hello" })
    const big = Buffer.concat([Buffer.from("garbage-before"), Buffer.from(text), Buffer.from("after")])
    const view = big.subarray(14, 14 + Buffer.byteLength(text))
    const m = ok(view)
    expect(dec.decode(m.body)).toBe("hello")
    expect(m.body.byteOffset).toBe(view.byteOffset + text.length - 5)
    const plain = new Uint8Array(big.buffer, big.byteOffset + 14, Buffer.byteLength(text))
    expect(dec.decode(ok(plain).body)).toBe("hello")
  })

  it("Max-Forwards may be missing; a status line may have an empty reason", () => {
    const m = ok(options({ drop: "Max-Forwards" }))
    expect(getHeader(m, "max-forwards")).toBeUndefined()
    const r = ok("SIP/2.0 299 \r\nVia: SIP/2.0/UDP h;branch=z9hG4bK1\r\nFrom: <sip:a@h>;tag=1\r\nTo: <sip:b@h>\r\nCall-ID: x\r\nCSeq: 1 FOO\r\n\r\n") as SipResponse
    expect([r.status, r.reason]).toEqual([299, ""])
  })
})

describe("parseMessage: invalid messages (RFC 4475 §3.1.2 kinds) are ParseError values", () => {
  it("§3.1.2.16 badvers: an unknown SIP version", () => {
    expect(bad(options({ first: "OPTIONS sip:t.watson@example.org SIP/7.0" }))).toMatchObject({ rule: "SIP-Version", line: 1 })
    expect(bad("SIP/3.0 200 OK\r\n\r\n").rule).toBe("SIP-Version")
  })

  it("§3.1.2.7-9 malformed start lines: extra spaces (lwsstart), LWS in the URI (lwsruri), <> around it (ltgtruri), bad status codes", () => {
    expect(bad(options({ first: "OPTIONS  sip:bob@example.com SIP/2.0" })).rule).toBe("Request-Line")
    expect(bad(options({ first: "OPTIONS sip:bob@example.com; lr SIP/2.0" })).rule).toBe("Request-Line")
    expect(bad(options({ first: "INVITE <sip:bob@example.com> SIP/2.0" })).rule).toBe("Request-URI")
    expect(bad(options({ first: "OPT(IONS sip:bob@example.com SIP/2.0" })).rule).toBe("Method")
    expect(bad(options({ first: "SIP/2.0 2000 OK" })).rule).toBe("Status-Code")
    expect(bad(options({ first: "SIP/2.0 099 Low" })).rule).toBe("Status-Code")
  })

  it("insuf: each missing mandatory header is named (§8.1.1)", () => {
    for (const [name, rule] of [["Via", "via"], ["From", "from"], ["To", "to"], ["Call-ID", "call-id"], ["CSeq", "cseq"]]) {
      const e = bad(options({ drop: name }))
      expect(e.message).toBe(`Missing ${name} header`)
      expect(e.rule).toBe(rule)
    }
  })

  it("CSeq method must match the request method; CSeq must be number + method", () => {
    expect(bad(options().replace("CSeq: 1 OPTIONS", "CSeq: 1 INVITE")).message).toMatch(/CSeq method/)
    expect(bad(options().replace("CSeq: 1 OPTIONS", "CSeq: OPTIONS")).rule).toBe("CSeq")
    expect(bad(options().replace("CSeq: 1 OPTIONS", "CSeq: 99999999999 OPTIONS")).rule).toBe("CSeq")
  })

  it("§3.1.2.2 clerr, §3.1.2.3 ncl, mcl01 — bad Content-Length: longer than the datagram, negative, non-numeric, huge, duplicated", () => {
    expect(bad(options({ extra: ["Content-Length: 500"], body: "v=0\r\n" })).message).toMatch(/exceeds/)
    expect(bad(options({ extra: ["Content-Length: -999"] })).rule).toBe("Content-Length")
    expect(bad(options({ extra: ["Content-Length: 12a"] })).rule).toBe("Content-Length")
    expect(bad(options({ extra: ["Content-Length: 9999999999999999999999"] })).rule).toBe("Content-Length")
    expect(bad(options({ extra: ["Content-Length: 0", "l: 4"], body: "abcd" })).message).toMatch(/Duplicate/)
  })

  it("stream mode: Content-Length is required (§18.3)", () => {
    expect(bad(options(), { stream: true }).message).toMatch(/Missing Content-Length/)
    expect(ok(options({ extra: ["Content-Length: 2"], body: "hi" }), { stream: true }).body.length).toBe(2)
  })

  it("header lines: no colon, bad name, a fold with nothing to continue; the line number is reported", () => {
    expect(bad(options({ extra: ["this line has no colon"] }))).toMatchObject({ line: 8, rule: "message-header" })
    expect(bad(options({ extra: ["Bad Name: x"] }))).toMatchObject({ line: 8, rule: "header-name" })
    expect(bad(options({ first: "OPTIONS sip:b@h SIP/2.0\r\n folded: x" })).rule).toBe("header-name")
    expect(bad(options({ extra: ["Call-ID: second"] })).message).toMatch(/Duplicate Call-ID/)
    expect(bad(options().replace("Call-ID: c1@192.0.2.1", "Call-ID:   ")).message).toMatch(/Empty Call-ID/)
  })

  it("garbage, empty input, and a head without its blank line never throw", () => {
    expect(bad(new Uint8Array([0, 1, 32, 255, 254, 10, 10])).rule).toBeDefined()
    expect(bad(new Uint8Array(0)).message).toBe("Empty message")
    expect(bad("\r\n\r\n").message).toBe("Empty message")
    expect(bad(options().replace(/\r\n\r\n$/, "\r\n")).message).toMatch(/empty line/)
    // Every prefix of a valid message parses or fails as a value.
    const whole = loadFixture("wsinv.sip")
    for (let i = 0; i < whole.length; i += 7) {
      const r = parseMessage(whole.subarray(0, i))
      expect(isParseError(r) || r._tag === "SipRequest").toBe(true)
    }
  })

  it("fixture loader: LF to CRLF, AUTO Content-Length", () => {
    expect(fixtureText("A: 1\nContent-Length: AUTO\n\nxy\n")).toBe("A: 1\r\nContent-Length: 4\r\n\r\nxy\r\n")
  })
})
