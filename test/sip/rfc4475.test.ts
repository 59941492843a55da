/**
 * RFC 4475 (SIP torture tests), adapted: each fixture in test/fixtures/rfc4475 is named after the
 * RFC's message and checked for what the RFC says a parser must (or may) conclude about it.
 */
import { describe, expect, it } from "@effect/vitest"
import {
  getHeader,
  getHeaders,
  isParseError,
  parseCSeq,
  parseExpires,
  parseMaxForwards,
  parseMessage,
  parseNameAddr,
  parseUri,
  parseVia,
  type ParseError,
  type SipMessage,
  type SipRequest
} from "../../src/sip/index.ts"
import { loadFixture } from "../fixtures/load.ts"

const load = (name: string) => parseMessage(loadFixture(`rfc4475/${name}.sip`))
const ok = (name: string): SipMessage => {
  const m = load(name)
  if (isParseError(m)) throw new Error(`${name}: ${m.message}`)
  return m
}
const value = <A>(x: A | ParseError): A => {
  if (isParseError(x)) throw new Error(`unexpected ParseError: ${x.message}`)
  return x
}

describe("RFC 4475 §3.1.1: valid messages parse", () => {
  it("§3.1.1.2 intmeth: every token character in method, Via, params; odd URI userinfo; UTF-8 and controls", () => {
    const m = ok("intmeth") as SipRequest
    expect(m.method).toBe("!interesting-Method0123456789_*+`.%indeed'~")
    expect(value(parseCSeq(getHeader(m, "cseq")!)).method).toBe(m.method)
    expect(value(parseUri(m.uri))).toMatchObject({
      user: "1_unusual.URI~(to-be!sure)&isn't+it$/crazy?,/;;*",
      password: "&it+has=1,weird!*pas$wo~d_too.(doesn't-it)",
      host: "example.com"
    })
    expect(value(parseVia(getHeader(m, "via")!)).branch).toBe("z9hG4bK-.!%66*_+`'~")
    expect(value(parseNameAddr(getHeader(m, "to")!)).displayName).toBe("BEL:\x07 NUL:\x00 DEL:\x7f")
    const from = value(parseNameAddr(getHeader(m, "from")!))
    expect(from.displayName).toBe("token1~` token2'+_ token3*%!.-")
    expect(from.params["fromparam''~+*_!.-%"]).toBe("работающий")
    expect(from.tag).toBe("_token~1'+`*%!-.")
    expect(getHeader(m, "call-id")).toBe("intmeth.word%ZK-!.*_+'@word`~)(><:\\/\"][?}{")
    expect(getHeader(m, "extensionheader-!.%*+_`'~")).toBe("大停電")
  })

  it("§3.1.1.5 esc02: % in a method is not an escape; a display name with a bad escape is fine", () => {
    const m = ok("esc02") as SipRequest
    expect(m.method).toBe("RE%47IST%45R")
    expect(value(parseNameAddr(getHeader(m, "to")!)).displayName).toBe("%Z%45")
    expect(getHeaders(m, "contact")).toHaveLength(3)
  })

  it("§3.1.1.6 lwsdisp: no LWS between display name and <", () => {
    expect(value(parseNameAddr(getHeader(ok("lwsdisp"), "from")!))).toMatchObject({ displayName: "caller", tag: "323" })
  })

  it("§3.1.1.10 transports: unknown Via transports are accepted", () => {
    expect(getHeaders(ok("transports"), "via").map((v) => value(parseVia(v)).transport)).toEqual([
      "UDP", "SCTP", "TLS", "UNKNOWN", "TCP"
    ])
  })

  it("§3.1.1.8 dblreq: a second request after Content-Length bytes is not part of the first", () => {
    const m = ok("dblreq") as SipRequest
    expect([m.method, m.body.length, getHeader(m, "call-id")]).toEqual(["REGISTER", 0, "dblreq.0ha0isndaksdj99sdfafnl3lk233412"])
  })

  it("§3.1.1.4 escnull / §3.1.1.9 semiuri: escaped NULs and ';' in the user part", () => {
    expect(value(parseUri("sip:null-%00-null@example.com")).user).toBe("null-\x00-null")
    expect(value(parseUri("sip:user;par=u%40example.net@example.com"))).toMatchObject({
      user: "user;par=u@example.net", host: "example.com", params: {}
    })
  })

  it("§3.1.2.10 trws: trailing SP after the Request-Line is tolerated (the RFC allows leniency)", () => {
    const text = new TextDecoder().decode(loadFixture("rfc4475/lwsdisp.sip")).replace("SIP/2.0\r\n", "SIP/2.0  \r\n")
    expect(isParseError(parseMessage(new TextEncoder().encode(text)))).toBe(false)
  })

  it("§3.1.2.1 badinv01 / §3.1.2.6 quotbal: bad values parse as messages and fail when read", () => {
    expect(isParseError(parseVia("SIP/2.0/UDP 192.0.2.15;;"))).toBe(true)
    expect(isParseError(parseNameAddr('"Mr. J. User <sip:j.user@example.com>'))).toBe(true)
  })

  it("§3.1.2.4 scalar02 values parse as messages; the overlarge scalars fail when read", () => {
    // CSeq is checked by the parser (its method must match), so this one is rejected outright.
    expect(load("scalar02")).toMatchObject({ _tag: "ParseError", rule: "CSeq" })
    const fixed = new TextDecoder().decode(loadFixture("rfc4475/scalar02.sip")).replace("36893488147419103232", "1")
    const m = parseMessage(new TextEncoder().encode(fixed))
    if (isParseError(m)) throw new Error(m.message)
    expect(isParseError(parseMaxForwards(getHeader(m, "max-forwards")!))).toBe(true)
    expect(value(parseExpires(getHeader(m, "expires")!))).toBe(4294967295)
  })

  it("§3.1.2.15 baddn: a comma in an unquoted display name is not a list separator, and not a token", () => {
    const m = ok("baddn")
    expect(getHeaders(m, "from")).toEqual(["Bell, Alexander <sip:a.g.bell@example.com>;tag=43"])
    expect(isParseError(parseNameAddr(getHeader(m, "from")!))).toBe(true)
  })
})

describe("RFC 4475 §3.1.2: invalid messages are ParseError values", () => {
  it.each([
    ["ncl", "Content-Length", /Bad Content-Length/],
    ["multi01", "cseq", /Duplicate CSeq/],
    ["mismatch01", "CSeq", /CSeq method/],
    ["mismatch02", "CSeq", /CSeq method/],
    ["bigcode", "Status-Code", /Status-Code/]
  ])("%s", (name, rule, message) => {
    const e = load(name)
    expect(isParseError(e)).toBe(true)
    expect(e).toMatchObject({ _tag: "ParseError", rule })
    expect((e as ParseError).message).toMatch(message)
  })
})
