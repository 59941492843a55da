import { describe, expect, it } from "@effect/vitest"
import {
  formatChallenge,
  formatCredentials,
  formatNameAddr,
  formatUri,
  isParseError,
  parseChallenge,
  parseContentLength,
  parseContentType,
  parseCredentials,
  parseCSeq,
  parseExpires,
  parseMaxForwards,
  parseNameAddr,
  parseTokenList,
  parseUri,
  parseVia,
  type ParseError
} from "../../src/sip/index.ts"

const value = <A>(x: A | ParseError): A => {
  if (isParseError(x)) throw new Error(`unexpected ParseError: ${x.message}`)
  return x
}

describe("parseUri / formatUri (§19.1, RFC 3966)", () => {
  it("sip: user, password, host, port, params, headers", () => {
    expect(value(parseUri("sip:alice:secretword@atlanta.com;transport=tcp"))).toEqual({
      scheme: "sip", user: "alice", password: "secretword", host: "atlanta.com", params: { transport: "tcp" }, headers: {}
    })
    expect(value(parseUri("sips:alice@atlanta.com?subject=project%20x&priority=urgent"))).toEqual({
      scheme: "sips", user: "alice", host: "atlanta.com", params: {}, headers: { subject: "project x", priority: "urgent" }
    })
    expect(value(parseUri("sip:+1-212-555-1212:1234@gateway.com;user=phone"))).toMatchObject({
      user: "+1-212-555-1212", password: "1234", params: { user: "phone" }
    })
    expect(value(parseUri("sip:atlanta.com;method=REGISTER?to=alice%40atlanta.com"))).toEqual({
      scheme: "sip", host: "atlanta.com", params: { method: "REGISTER" }, headers: { to: "alice@atlanta.com" }
    })
    expect(value(parseUri("SIP:alice;day=tuesday@atlanta.com:5070;LR"))).toEqual({
      scheme: "sip", user: "alice;day=tuesday", host: "atlanta.com", port: 5070, params: { lr: "" }, headers: {}
    })
  })

  it("IPv6 references keep their brackets; ports parse", () => {
    expect(value(parseUri("sip:[2001:db8::10]:5070;maddr=[2001:db8::20]"))).toMatchObject({
      host: "[2001:db8::10]", port: 5070, params: { maddr: "[2001:db8::20]" }
    })
    expect(value(parseUri("sip:bob@[::1]")).host).toBe("[::1]")
  })

  it("tel: and unknown schemes", () => {
    expect(value(parseUri("tel:+1-201-555-0123;phone-context=example.com"))).toEqual({
      scheme: "tel", user: "+1-201-555-0123", host: "", params: { "phone-context": "example.com" }, headers: {}
    })
    expect(value(parseUri("urn:service:sos"))).toMatchObject({ scheme: "urn", host: "service:sos" })
    expect(formatUri(value(parseUri("urn:service:sos")))).toBe("urn:service:sos")
    expect(formatUri(value(parseUri("tel:+1-201-555-0123;phone-context=example.com")))).toBe(
      "tel:+1-201-555-0123;phone-context=example.com"
    )
  })

  it("rejects what is not a URI", () => {
    for (const bad of ["not a uri", "sip:", "sip:bob@", "sip:bob@host:99999", "sip:bob@host:5x", "sip:a b@host", "1sip:x",
      "sip:bob@ho%st", "sip:%zz@host", "sip:[::1"]) {
      expect(isParseError(parseUri(bad)), bad).toBe(true)
    }
  })

  it("formatUri escapes what must be escaped, and parses back", () => {
    const uri = {
      scheme: "sip", user: "a b@c:d", password: "p@ss", host: "example.com", port: 5060,
      params: { transport: "udp", "x y": "1;2", lr: "" }, headers: { subject: "a&b=c", "x-h": "é" }
    }
    const text = formatUri(uri)
    expect(text).toBe("sip:a%20b%40c%3Ad:p%40ss@example.com:5060;transport=udp;x%20y=1%3B2;lr?subject=a%26b%3Dc&x-h=%C3%A9")
    expect(value(parseUri(text))).toEqual(uri)
  })
})

describe("parseVia (§20.42, RFC 3581)", () => {
  it("protocol, sent-by, branch, received, rport, maddr, ttl, other params", () => {
    expect(value(parseVia("SIP/2.0/UDP 10.0.0.1:5070;branch=z9hG4bK1;received=192.0.2.9;rport=4000;maddr=239.1.1.1;ttl=16;x"))).toMatchObject({
      protocol: "SIP/2.0", transport: "UDP", host: "10.0.0.1", port: 5070, branch: "z9hG4bK1", received: "192.0.2.9",
      rport: 4000, maddr: "239.1.1.1", ttl: 16,
      params: { branch: "z9hG4bK1", received: "192.0.2.9", rport: "4000", maddr: "239.1.1.1", ttl: "16", x: null }
    })
  })
  it("rport: null for the bare flag, a number when valued, undefined when absent", () => {
    expect(value(parseVia("SIP/2.0/UDP h;rport;branch=z9hG4bK1")).rport).toBeNull()
    expect(value(parseVia("SIP/2.0/UDP h;rport=5062")).rport).toBe(5062)
    expect(value(parseVia("SIP/2.0/UDP h;branch=z9hG4bK1")).rport).toBeUndefined()
  })
  it("LWS around slashes and semicolons; lower-case transport; IPv6", () => {
    expect(value(parseVia("sip / 2.0 / tcp   [2001:db8::1]:5061 ;  BRANCH = z9hG4bKx"))).toMatchObject({
      protocol: "SIP/2.0", transport: "TCP", host: "[2001:db8::1]", port: 5061, branch: "z9hG4bKx"
    })
  })
  it("rejects a malformed Via", () => {
    for (const bad of ["", "SIP/2.0 host", "SIP/2.0/UDP", "SIP/2.0/UDP host:port", "SIP/2.0/UDP h;rport=x", "SIP/2.0/UDP h;ttl=999",
      "SIP/2.0/UDP h;=1", "SIP/2.0/UDP h junk"]) {
      expect(isParseError(parseVia(bad)), bad).toBe(true)
    }
  })
})

describe("parseNameAddr / formatNameAddr (§20.10, §20.20, §20.39)", () => {
  it("quoted and token display names, <uri>, header params and tag", () => {
    expect(value(parseNameAddr('"Alice \\"A\\"" <sip:alice@atlanta.com;transport=tcp>;tag=88sja8x;x'))).toEqual({
      displayName: 'Alice "A"', uri: "sip:alice@atlanta.com;transport=tcp", params: { tag: "88sja8x", x: "" }, tag: "88sja8x"
    })
    expect(value(parseNameAddr("Bob Smith <sips:bob@biloxi.com>"))).toMatchObject({ displayName: "Bob Smith", uri: "sips:bob@biloxi.com" })
    expect(value(parseNameAddr("<sip:bob@biloxi.com>")).displayName).toBeUndefined()
  })
  it("addr-spec form: parameters after the URI are header parameters (§20.10)", () => {
    expect(value(parseNameAddr("sip:bob@biloxi.com;tag=a6c85cf"))).toMatchObject({ uri: "sip:bob@biloxi.com", tag: "a6c85cf" })
    expect(value(parseNameAddr("tel:+15551234;tag=1")).uri).toBe("tel:+15551234")
  })
  it("rejects malformed values", () => {
    for (const bad of ['"unterminated <sip:a@b>', "<sip:a@b", "A@B <sip:a@b>", "<nocolon>", "*", ""]) {
      expect(isParseError(parseNameAddr(bad)), bad).toBe(true)
    }
  })
  it("formats to the name-addr form and parses back", () => {
    const text = formatNameAddr({ displayName: 'Jo "J" Doe', uri: "sip:jo@h;lr", params: { tag: "x1", q: "0.5", note: "a b" } })
    expect(text).toBe('"Jo \\"J\\" Doe" <sip:jo@h;lr>;tag=x1;q=0.5;note="a b"')
    expect(value(parseNameAddr(text))).toEqual({
      displayName: 'Jo "J" Doe', uri: "sip:jo@h;lr", params: { tag: "x1", q: "0.5", note: "a b" }, tag: "x1"
    })
  })
})

describe("simple header values (§20)", () => {
  it("CSeq", () => {
    expect(value(parseCSeq("4711 INVITE"))).toEqual({ seq: 4711, method: "INVITE" })
    expect(value(parseCSeq("  1\tNEWMETHOD "))).toEqual({ seq: 1, method: "NEWMETHOD" })
    for (const bad of ["INVITE", "1", "1INVITE", "-1 INVITE", "2147483648 INVITE", "1 IN VITE"]) {
      expect(isParseError(parseCSeq(bad)), bad).toBe(true)
    }
  })
  it("Max-Forwards, Content-Length, Expires", () => {
    expect(value(parseMaxForwards(" 70 "))).toBe(70)
    expect(isParseError(parseMaxForwards("256"))).toBe(true)
    expect(value(parseContentLength("0"))).toBe(0)
    expect(isParseError(parseContentLength("x"))).toBe(true)
    expect(value(parseExpires("3600"))).toBe(3600)
    expect(value(parseExpires("99999999999"))).toBe(4294967295)
  })
  it("Content-Type", () => {
    expect(value(parseContentType("Application/SDP ; charset=\"utf-8\""))).toEqual({
      type: "application", subtype: "sdp", params: { charset: "utf-8" }
    })
    expect(isParseError(parseContentType("text"))).toBe(true)
  })
  it("token lists (Allow, Supported, Require) from one or several values", () => {
    expect(value(parseTokenList("INVITE, ACK ,BYE"))).toEqual(["INVITE", "ACK", "BYE"])
    expect(value(parseTokenList(["100rel", "timer, path"]))).toEqual(["100rel", "timer", "path"])
    expect(isParseError(parseTokenList("a b"))).toBe(true)
  })
})

describe("digest challenge and credentials (§20.27, §20.44, §22.4)", () => {
  it("parses a challenge with quoted values containing commas", () => {
    expect(value(parseChallenge('Digest realm="atlanta.com", domain="sip:ss1.carrier.com", qop="auth,auth-int", nonce="f84f1cec41e6cbe5aea9c8e88d359", opaque="", stale=FALSE, algorithm=MD5'))).toEqual({
      scheme: "Digest",
      params: {
        realm: "atlanta.com", domain: "sip:ss1.carrier.com", qop: "auth,auth-int", nonce: "f84f1cec41e6cbe5aea9c8e88d359",
        opaque: "", stale: "FALSE", algorithm: "MD5"
      }
    })
  })
  it("credentials round-trip through formatCredentials", () => {
    const raw = 'Digest username="bob", realm="biloxi.com", nonce="dcd98b7102dd2f0e8b11d0f600bfb0c093", uri="sip:bob@biloxi.com", qop=auth, nc=00000001, cnonce="0a4f113b", response="6629fae49393a05397450978507c4ef1", opaque="5ccc069c403ebaf9f0171e9517f40e41"'
    const creds = value(parseCredentials(raw))
    expect(creds.params.username).toBe("bob")
    expect(creds.params.qop).toBe("auth")
    expect(formatCredentials(creds)).toBe(raw)
    expect(value(parseCredentials(formatCredentials(creds)))).toEqual(creds)
    const challenge = value(parseChallenge('Digest realm="a\\"b", qop="auth", algorithm=MD5'))
    expect(challenge.params.realm).toBe('a"b')
    expect(formatChallenge(challenge)).toBe('Digest realm="a\\"b", qop="auth", algorithm=MD5')
  })
  it("rejects malformed auth values", () => {
    for (const bad of ["", 'Digest realm="x', "Digest realm", "Digest =x", 'Digest realm="a" nonce="b"']) {
      expect(isParseError(parseCredentials(bad)), bad).toBe(true)
    }
  })
})
