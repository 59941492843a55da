import { describe, expect, it } from "@effect/vitest"
import { digestResponse, makeAuthenticator, parseCredentials } from "../../src/auth/index.ts"
import { ProtocolError } from "../../src/errors.ts"
import { getHeader, getHeaders, makeRequest, makeResponse, topVia } from "../../src/sip/index.ts"
import type { SipRequest, SipResponse } from "../../src/sip/message.ts"

const register = (): SipRequest =>
  makeRequest({
    method: "REGISTER",
    uri: "sip:example.com",
    headers: [
      ["Via", "SIP/2.0/UDP 127.0.0.1:5060;branch=z9hG4bKfirst;rport"],
      ["Max-Forwards", "70"],
      ["From", "<sip:alice@example.com>;tag=ft1"],
      ["To", "<sip:alice@example.com>"],
      ["Call-ID", "call-1@127.0.0.1"],
      ["CSeq", "1 REGISTER"],
      ["Contact", "<sip:alice@127.0.0.1:5060>;expires=3600"]
    ]
  })

const challenge = (request: SipRequest, status: 401 | 407, ...values: Array<string>): SipResponse =>
  makeResponse(request, status, undefined, {
    headers: values.map((v) => [status === 401 ? "WWW-Authenticate" : "Proxy-Authenticate", v] as const)
  })

const asRequest = (x: SipRequest | ProtocolError): SipRequest => {
  if (x instanceof ProtocolError) throw new Error(`unexpected failure: ${x.message}`)
  return x
}

const alice = { username: "alice", password: "secret" }

/** Recomputes the response parameter from what the credentials say, as a registrar would. */
const verify = (request: SipRequest, key: string, password: string): boolean => {
  const p = parseCredentials(getHeader(request, key)!)!
  const expected = digestResponse({
    algorithm: (p.algorithm ?? "MD5") as "MD5",
    username: p.username!,
    password,
    realm: p.realm!,
    nonce: p.nonce!,
    method: request.method,
    uri: p.uri!,
    ...(p.qop === undefined ? {} : { qop: p.qop, nc: p.nc!, cnonce: p.cnonce! })
  })
  return p.response === expected && p.uri === request.uri
}

describe("Authenticator (RFC 3261 §22.2)", () => {
  it("answers a 401: same Call-ID and From tag, CSeq + 1, new branch, verifiable Authorization", () => {
    const auth = makeAuthenticator(alice)
    const first = register()
    const retry = asRequest(auth.respond(first, challenge(first, 401,
      "Digest realm=\"example.com\", nonce=\"n1\", opaque=\"op\", qop=\"auth\", algorithm=MD5")))
    expect(getHeader(retry, "call-id")).toBe("call-1@127.0.0.1")
    expect(getHeader(retry, "from")).toBe("<sip:alice@example.com>;tag=ft1")
    expect(getHeader(retry, "cseq")).toBe("2 REGISTER")
    const via = topVia(retry)
    if ("_tag" in via) throw new Error(via.message)
    expect(via.branch).toMatch(/^z9hG4bK/)
    expect(via.branch).not.toBe("z9hG4bKfirst")
    expect(via.rport).toBeNull()
    const p = parseCredentials(getHeader(retry, "authorization")!)!
    expect(p).toMatchObject({ username: "alice", realm: "example.com", nonce: "n1", opaque: "op", qop: "auth", nc: "00000001" })
    expect(verify(retry, "authorization", "secret")).toBe(true)
    expect(verify(retry, "authorization", "wrong")).toBe(false)
  })

  it("answers a 407 with Proxy-Authorization, choosing the SHA-256 challenge", () => {
    const auth = makeAuthenticator(alice)
    const first = register()
    const retry = asRequest(auth.respond(first, challenge(first, 407,
      "Digest realm=\"proxy\", nonce=\"md5\", qop=\"auth\"",
      "Digest realm=\"proxy\", nonce=\"sha\", qop=\"auth\", algorithm=SHA-256")))
    expect(getHeader(retry, "authorization")).toBeUndefined()
    const p = parseCredentials(getHeader(retry, "proxy-authorization")!)!
    expect(p).toMatchObject({ algorithm: "SHA-256", nonce: "sha" })
    expect(p.response).toMatch(/^[0-9a-f]{64}$/)
    expect(verify(retry, "proxy-authorization", "secret")).toBe(true)
  })

  it("stale=true: retries with the new nonce and the same credentials", () => {
    const auth = makeAuthenticator(alice)
    const first = register()
    const second = asRequest(auth.respond(first, challenge(first, 401, "Digest realm=\"r\", nonce=\"old\", qop=\"auth\"")))
    const third = asRequest(auth.respond(second, challenge(second, 401, "Digest realm=\"r\", nonce=\"new\", qop=\"auth\", stale=true")))
    expect(getHeader(third, "cseq")).toBe("3 REGISTER")
    expect(getHeaders(third, "authorization")).toHaveLength(1)
    expect(parseCredentials(getHeader(third, "authorization")!)).toMatchObject({ nonce: "new", nc: "00000001" })
    expect(verify(third, "authorization", "secret")).toBe(true)
  })

  it("a second 401 without stale after sending credentials is a refusal (AuthenticationFailed)", () => {
    const auth = makeAuthenticator({ username: "alice", password: "wrong" })
    const first = register()
    const second = asRequest(auth.respond(first, challenge(first, 401, "Digest realm=\"r\", nonce=\"a\", qop=\"auth\"")))
    const refused = auth.respond(second, challenge(second, 401, "Digest realm=\"r\", nonce=\"b\", qop=\"auth\""))
    expect(refused).toBeInstanceOf(ProtocolError)
    expect(refused).toMatchObject({ reason: "AuthenticationFailed", status: 401 })
  })

  it("no supported challenge is a failure, not a retry", () => {
    const auth = makeAuthenticator(alice)
    const first = register()
    expect(auth.respond(first, challenge(first, 401, "Basic realm=\"r\""))).toMatchObject({
      _tag: "ProtocolError",
      reason: "AuthenticationFailed"
    })
    expect(auth.respond(first, makeResponse(first, 403))).toMatchObject({ reason: "UnexpectedResponse" })
  })

  it("sign reuses the last challenge with nc + 1; a challenge to a signed request is not a refusal", () => {
    const auth = makeAuthenticator(alice)
    const first = register()
    expect(auth.sign(first)).toBe(first)
    const second = asRequest(auth.respond(first, challenge(first, 401, "Digest realm=\"r\", nonce=\"n\", qop=\"auth\"")))
    const refresh = auth.sign({ ...register(), headers: register().headers.map((h) => h.key === "cseq" ? { ...h, value: "3 REGISTER" } : h) })
    expect(parseCredentials(getHeader(refresh, "authorization")!)).toMatchObject({ nonce: "n", nc: "00000002" })
    expect(verify(refresh, "authorization", "secret")).toBe(true)
    // The registrar has forgotten the nonce but does not say stale: one more try, with the new nonce.
    const again = asRequest(auth.respond(refresh, challenge(refresh, 401, "Digest realm=\"r\", nonce=\"m\", qop=\"auth\"")))
    expect(parseCredentials(getHeader(again, "authorization")!)).toMatchObject({ nonce: "m", nc: "00000001" })
    expect(getHeader(second, "cseq")).toBe("2 REGISTER")
    expect(getHeader(again, "cseq")).toBe("4 REGISTER")
  })

  it("keeps credentials of other realms (§22.3) and replaces those of the challenged realm", () => {
    const auth = makeAuthenticator(alice)
    const first = register()
    const viaProxy = asRequest(auth.respond(first, challenge(first, 407, "Digest realm=\"proxy\", nonce=\"p\"")))
    const viaBoth = asRequest(auth.respond(viaProxy, challenge(viaProxy, 401, "Digest realm=\"home\", nonce=\"h\"")))
    expect(getHeaders(viaBoth, "proxy-authorization")).toHaveLength(1)
    expect(getHeaders(viaBoth, "authorization")).toHaveLength(1)
    expect(getHeader(viaBoth, "cseq")).toBe("3 REGISTER")
  })
})
