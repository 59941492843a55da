import { describe, expect, it } from "@effect/vitest"
import { createHash } from "node:crypto"
import {
  chooseChallenge,
  computeCredentials,
  digestResponse,
  formatCredentials,
  formatNc,
  parseChallenge,
  parseCredentials
} from "../../src/auth/index.ts"
import { isParseError } from "../../src/sip/index.ts"

describe("digest computation (RFC 2617 §3.2.2)", () => {
  it("RFC 2617 §3.5 example: MD5, qop=auth", () => {
    expect(digestResponse({
      algorithm: "MD5",
      username: "Mufasa",
      password: "Circle Of Life",
      realm: "testrealm@host.com",
      nonce: "dcd98b7102dd2f0e8b11d0f600bfb0c093",
      method: "GET",
      uri: "/dir/index.html",
      qop: "auth",
      nc: "00000001",
      cnonce: "0a4f113b"
    })).toBe("6629fae49393a05397450978507c4ef1")
  })

  const rfc7616 = {
    username: "Mufasa",
    password: "Circle of Life",
    realm: "http-auth@example.org",
    nonce: "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v",
    method: "GET",
    uri: "/dir/index.html",
    qop: "auth",
    nc: "00000001",
    cnonce: "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ"
  } as const

  it("RFC 7616 §3.9.1 example: SHA-256 (RFC 8760)", () => {
    expect(digestResponse({ ...rfc7616, algorithm: "SHA-256" }))
      .toBe("753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1")
  })

  it("RFC 7616 §3.9.1 example: MD5", () => {
    expect(digestResponse({ ...rfc7616, algorithm: "MD5" })).toBe("8ca523f5e9506fed4657c9700eebdbec")
  })

  it("RFC 2069 form (no qop): H(H(A1):nonce:H(A2))", () => {
    // RFC 2069 §2.4 example values; the RFC's own printed digest is known wrong (erratum 749), so the
    // expected value is the formula computed independently here.
    const md5 = (s: string) => createHash("md5").update(s).digest("hex")
    const expected = md5(`${md5("Mufasa:testrealm@host.com:CircleOfLife")}:dcd98b7102dd2f0e8b11d0f600bfb0c093:${md5("GET:/dir/index.html")}`)
    expect(digestResponse({
      algorithm: "MD5",
      username: "Mufasa",
      password: "CircleOfLife",
      realm: "testrealm@host.com",
      nonce: "dcd98b7102dd2f0e8b11d0f600bfb0c093",
      method: "GET",
      uri: "/dir/index.html"
    })).toBe(expected)
  })

  it("MD5-sess rehashes H(A1) with nonce and cnonce", () => {
    const base = { ...rfc7616, algorithm: "MD5" as const }
    const sess = { ...rfc7616, algorithm: "MD5-sess" as const }
    expect(digestResponse(sess)).not.toBe(digestResponse(base))
    expect(digestResponse(sess)).toMatch(/^[0-9a-f]{32}$/)
  })

  it("qop=auth-int hashes the body into A2 (RFC 2617 §3.2.2.3)", () => {
    const body = new TextEncoder().encode("v=0\r\n")
    const md5 = (s: string | Uint8Array) => createHash("md5").update(s).digest("hex")
    const h1 = md5("u:r:p")
    const h2 = md5(`INVITE:sip:bob@example.com:${md5(body)}`)
    expect(digestResponse({
      algorithm: "MD5",
      username: "u",
      password: "p",
      realm: "r",
      nonce: "n",
      method: "INVITE",
      uri: "sip:bob@example.com",
      qop: "auth-int",
      nc: "00000001",
      cnonce: "c",
      body
    })).toBe(md5(`${h1}:n:00000001:c:auth-int:${h2}`))
  })

  it("nc is 8 lower-case hex digits", () => {
    expect(formatNc(1)).toBe("00000001")
    expect(formatNc(255)).toBe("000000ff")
  })
})

describe("challenges (RFC 3261 §22.4, RFC 8760)", () => {
  it("parses realm, nonce, opaque, algorithm, qop list and stale", () => {
    const c = parseChallenge(
      "Digest realm=\"atlanta.com\", nonce=\"84a4cc6f3082121f32b42a2187831a9e\", opaque=\"xyz\", algorithm=SHA-256-sess, qop=\"auth,auth-int\", stale=TRUE"
    )
    expect(isParseError(c)).toBe(false)
    expect(c).toMatchObject({
      realm: "atlanta.com",
      nonce: "84a4cc6f3082121f32b42a2187831a9e",
      opaque: "xyz",
      algorithm: "SHA-256-sess",
      qop: ["auth", "auth-int"],
      stale: true
    })
  })

  it("no algorithm means MD5; no qop means the RFC 2069 form", () => {
    expect(parseChallenge("Digest realm=\"a\", nonce=\"n\"")).toMatchObject({ algorithm: "MD5", qop: [], stale: false })
  })

  it("rejects Basic, unknown algorithms and challenges without a nonce", () => {
    expect(isParseError(parseChallenge("Basic realm=\"a\""))).toBe(true)
    expect(isParseError(parseChallenge("Digest realm=\"a\", nonce=\"n\", algorithm=SHA-1"))).toBe(true)
    expect(isParseError(parseChallenge("Digest realm=\"a\""))).toBe(true)
  })

  it("chooses SHA-256 over MD5, whatever the order, and ignores unsupported ones", () => {
    const values = [
      "Digest realm=\"r\", nonce=\"m\", algorithm=MD5, qop=\"auth\"",
      "Digest realm=\"r\", nonce=\"x\", algorithm=SHA-1, qop=\"auth\"",
      "Digest realm=\"r\", nonce=\"s\", algorithm=SHA-256, qop=\"auth\"",
      "Basic realm=\"r\""
    ]
    expect(chooseChallenge(values)?.nonce).toBe("s")
    expect(chooseChallenge([...values].reverse())?.nonce).toBe("s")
    expect(chooseChallenge([values[1]!, values[3]!])).toBeUndefined()
  })

  it("among equal algorithms keeps the server's first; filters by the configured realm", () => {
    const values = ["Digest realm=\"a\", nonce=\"1\"", "Digest realm=\"b\", nonce=\"2\""]
    expect(chooseChallenge(values)?.nonce).toBe("1")
    expect(chooseChallenge(values, "b")?.nonce).toBe("2")
    expect(chooseChallenge(values, "c")).toBeUndefined()
  })
})

describe("credentials header (§25.1 dig-resp)", () => {
  it("quotes strings, leaves algorithm, qop and nc bare, echoes opaque, escapes quotes", () => {
    const challenge = parseChallenge("Digest realm=\"testrealm@host.com\", qop=\"auth,auth-int\", nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\", opaque=\"5ccc069c403ebaf9f0171e9517f40e41\"")
    if (isParseError(challenge)) throw new Error(challenge.message)
    const fields = computeCredentials(challenge, { username: "Mufasa", password: "Circle Of Life" }, {
      method: "GET",
      uri: "/dir/index.html",
      count: 1,
      cnonce: "0a4f113b"
    })
    expect(fields.response).toBe("6629fae49393a05397450978507c4ef1")
    const value = formatCredentials(fields)
    expect(value).toBe(
      "Digest username=\"Mufasa\", realm=\"testrealm@host.com\", nonce=\"dcd98b7102dd2f0e8b11d0f600bfb0c093\", " +
        "uri=\"/dir/index.html\", response=\"6629fae49393a05397450978507c4ef1\", algorithm=MD5, cnonce=\"0a4f113b\", " +
        "opaque=\"5ccc069c403ebaf9f0171e9517f40e41\", qop=auth, nc=00000001"
    )
    const odd = formatCredentials({ ...fields, username: "a\"b\\c" })
    expect(odd).toContain("username=\"a\\\"b\\\\c\"")
    expect(parseCredentials(odd)?.username).toBe("a\"b\\c")
  })

  it("without qop sends neither cnonce nor nc (RFC 2069 form)", () => {
    const challenge = parseChallenge("Digest realm=\"r\", nonce=\"n\"")
    if (isParseError(challenge)) throw new Error(challenge.message)
    const value = formatCredentials(computeCredentials(challenge, { username: "u", password: "p" }, {
      method: "REGISTER",
      uri: "sip:example.com",
      count: 1
    }))
    expect(value).not.toMatch(/cnonce|nc=|qop/)
  })
})
