/**
 * The server authentication options: 407 with Proxy-Authenticate / Proxy-Authorization (`--auth-status 407`),
 * INVITEs from trusted networks not challenged (`--auth-trust`), only callers of our domains challenged
 * (`--auth-domains`), qop=auth-int (`--auth-qop`), and the CLI's checks of those flags.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Fiber, Layer, Option, Stream } from "effect"
import { computeCredentials, formatCredentials, parseChallenge } from "../../src/auth/index.ts"
import { ChallengerLive } from "../../src/auth/challenger-live.ts"
import { type ChallengeDomains, parseChallengeDomains } from "../../src/auth/challenge-domains.ts"
import { parseTrustedNetworks, type TrustedNetworks } from "../../src/auth/trusted-networks.ts"
import { UserStoreLive } from "../../src/auth/user-store.ts"
import { registrarLayer, type RegistrarFlags } from "../../src/cli/registrar-flags.ts"
import { getHeaders, isParseError, makeRequest } from "../../src/sip/index.ts"
import type { SipRequest, SipResponse } from "../../src/sip/message.ts"
import { LocationMemory } from "../../src/registrar/location-memory.ts"
import { incomingInvite, serverTransaction } from "../dialog/support.ts"
import { register, registrarSetup } from "../registrar/support.ts"

const setup = (
  status: 401 | 407,
  gate: ReadonlyArray<string> = [],
  trust?: TrustedNetworks,
  qops: ReadonlyArray<"auth" | "auth-int"> = ["auth"],
  domains?: ChallengeDomains
) =>
  registrarSetup({}, LocationMemory.layer, {
    challenger: ChallengerLive.layer({ realm: "example.com", status, algorithms: ["SHA-256"], qops }).pipe(
      Layer.provide(UserStoreLive.fromText("bob:secret"))
    ),
    gate,
    ...(trust === undefined ? {} : { trust }),
    ...(domains === undefined ? {} : { domains })
  })

/** `request` with its From replaced by `from`. */
const withFrom = (request: SipRequest, from: string): SipRequest => ({
  ...request,
  headers: request.headers.map((h) => (h.key === "from" ? { ...h, value: from } : h))
})

/** An out-of-dialog request of `method` from alice of pbx.example. */
const outOfDialog = (method: string) =>
  makeRequest({
    method,
    uri: "sip:service@127.0.0.1:5070",
    headers: [
      ["Via", `SIP/2.0/UDP 10.0.0.9:5061;branch=z9hG4bK-${method}`],
      ["Max-Forwards", "70"],
      ["From", "<sip:alice@pbx.example>;tag=a1"],
      ["To", "<sip:service@127.0.0.1>"],
      ["Call-ID", `${method}-1@10.0.0.9`],
      ["CSeq", `1 ${method}`],
      ["Contact", "<sip:alice@10.0.0.9:5061>"],
      ...(method === "SUBSCRIBE" ? [["Event", "presence"] as [string, string]] : []),
      ...(method === "REFER" ? [["Refer-To", "<sip:carol@pbx.example>"] as [string, string]] : [])
    ]
  })

const answer = (request: SipRequest, response: SipResponse, challengeHeader: string, credentialsHeader: string, signed = request.body) => {
  const challenge = parseChallenge(getHeaders(response, challengeHeader)[0]!)
  if (isParseError(challenge)) throw new Error(challenge.message)
  const fields = computeCredentials(challenge, { username: "bob", password: "secret" }, {
    method: request.method,
    uri: request.uri,
    count: 1,
    body: signed
  })
  const cseq = request.headers.find((h) => h.key === "cseq")!.value.replace(/^\d+/, (n) => String(Number(n) + 1))
  return {
    ...request,
    headers: [
      ...request.headers.map((h) => (h.key === "cseq" ? { ...h, value: cseq } : h)),
      { name: credentialsHeader, key: credentialsHeader.toLowerCase(), value: formatCredentials(fields) }
    ]
  }
}

const host = (address: string) => ({ transport: "udp", host: address, port: 5060 }) as const

describe("authentication options", () => {
  it.effect("status 407: Proxy-Authenticate challenges, Proxy-Authorization answers; Authorization is not read", () =>
    Effect.gen(function*() {
      const { send } = yield* setup(407)
      const bob = register({ contacts: ["<sip:bob@10.0.0.9>"], cseq: 1 })
      const challenged = yield* send(bob)
      assert.strictEqual(challenged.status, 407)
      assert.lengthOf(getHeaders(challenged, "www-authenticate"), 0)
      assert.match(getHeaders(challenged, "proxy-authenticate")[0]!, /^Digest realm="example.com", nonce="[^"]+", algorithm=SHA-256/)
      assert.strictEqual((yield* send(answer(bob, challenged, "proxy-authenticate", "Authorization"))).status, 407)
      const again = register({ contacts: ["<sip:bob@10.0.0.9>"], cseq: 5 })
      assert.strictEqual((yield* send(answer(again, yield* send(again), "proxy-authenticate", "Proxy-Authorization"))).status, 200)
    }))

  it.effect("--auth-trust: an INVITE from a trusted network goes on unchallenged, from elsewhere it is challenged; REGISTER always is", () =>
    Effect.gen(function*() {
      const trust = parseTrustedNetworks("192.0.2.0/24, 2001:db8::/32")
      if (typeof trust === "string") throw new Error(trust)
      const { send, dialog, tl } = yield* setup(401, ["INVITE"], trust)
      const events = yield* dialog.events.pipe(Stream.take(1), Stream.runCollect, Effect.forkChild)
      const trusted = serverTransaction(incomingInvite({ callId: "trusted" }), host("192.0.2.77"))
      yield* tl.inject({ _tag: "RequestReceived", transaction: trusted })
      const [incoming] = yield* Fiber.join(events)
      assert.strictEqual(incoming!._tag, "IncomingInvite")
      assert.lengthOf(tl.responses(trusted.id), 0)
      assert.strictEqual((yield* send(incomingInvite({ callId: "outside" }), host("198.51.100.7"))).status, 401)
      assert.strictEqual((yield* send(register({ contacts: ["<sip:bob@192.0.2.77>"], cseq: 1 }), host("192.0.2.77"))).status, 401)
    }))

  it.effect("--auth-domains: a caller claiming one of our domains (From) is challenged, one from another domain goes on", () =>
    Effect.gen(function*() {
      const domains = parseChallengeDomains(["PBX.example", "b.example"])
      if (typeof domains === "string") throw new Error(domains)
      const { send, dialog, tl } = yield* setup(401, ["INVITE", "SUBSCRIBE", "REFER"], undefined, ["auth"], domains)
      const invite = incomingInvite({ callId: "ours" })
      for (const from of ["<sip:alice@pbx.example>;tag=a1", "\"B\" <sip:bob@B.EXAMPLE:5070;transport=tcp>;tag=b1"]) {
        assert.strictEqual((yield* send(withFrom(invite, from))).status, 401, from)
      }
      const events = yield* dialog.events.pipe(Stream.take(1), Stream.runCollect, Effect.forkChild)
      const foreign = serverTransaction(withFrom(incomingInvite({ callId: "peer" }), "<sip:carol@elsewhere.example>;tag=c1"))
      yield* tl.inject({ _tag: "RequestReceived", transaction: foreign })
      const [incoming] = yield* Fiber.join(events)
      assert.strictEqual(incoming!._tag, "IncomingInvite")
      assert.lengthOf(tl.responses(foreign.id), 0)
      // REGISTER is always challenged, whatever its domain.
      assert.strictEqual((yield* send(register({ contacts: ["<sip:bob@10.0.0.9>"], cseq: 1, aor: "sip:bob@elsewhere.example" }))).status, 401)
      // The stack serves no SUBSCRIBE, nor REFER outside a dialog: refused before any challenge.
      assert.strictEqual((yield* send(outOfDialog("SUBSCRIBE"))).status, 405)
      assert.strictEqual((yield* send(outOfDialog("REFER"))).status, 481)
    }))

  it("parseChallengeDomains: host names and addresses, case-insensitive; anything else named", () => {
    const domains = parseChallengeDomains(["pbx.example", " 192.0.2.1", "[2001:db8::1]"])
    if (typeof domains === "string") throw new Error(domains)
    const from = (value: string) => withFrom(incomingInvite(), value)
    assert.isTrue(domains.claims(from("<sip:a@PBX.Example>;tag=1")))
    assert.isTrue(domains.claims(from("sip:a@192.0.2.1;tag=1")))
    assert.isTrue(domains.claims(from("<sip:a@[2001:db8::1]:5060>;tag=1")))
    assert.isFalse(domains.claims(from("<sip:a@sub.pbx.example>;tag=1")))
    assert.isFalse(domains.claims(from("<tel:+15551234>;tag=1")))
    // The UAS policy answers an unreadable From 400 first; were one to get here, it would be challenged.
    assert.isTrue(domains.claims(from("not a from")))
    for (const bad of ["pbx..example", "a b", "pbx.example/24", "-x.example"]) {
      assert.include(parseChallengeDomains([bad]) as string, bad)
    }
    assert.strictEqual(parseChallengeDomains([" ", ""]), "no domain given")
  })

  it.effect("qop=auth-int: the body is signed; credentials over another body, or with qop=auth, are refused", () =>
    Effect.gen(function*() {
      const { send, dialog, tl } = yield* setup(401, ["INVITE"], undefined, ["auth-int"])
      const invite = incomingInvite({ extra: [["Content-Type", "application/sdp"]], body: "v=0\r\no=- 1 1 IN IP4 10.0.0.9\r\ns=-\r\n" })
      const challenged = yield* send(invite)
      assert.strictEqual(challenged.status, 401)
      assert.match(getHeaders(challenged, "www-authenticate")[0]!, /qop="auth-int"$/)
      const otherBody = answer(invite, challenged, "www-authenticate", "Authorization", new TextEncoder().encode("v=0\r\n"))
      assert.strictEqual((yield* send(otherBody)).status, 401)
      const asAuth = answer(invite, challenged, "www-authenticate", "Authorization")
      const downgraded = {
        ...asAuth,
        headers: asAuth.headers.map((h) => (h.key === "authorization" ? { ...h, value: h.value.replace("qop=auth-int", "qop=auth") } : h))
      }
      assert.strictEqual((yield* send(downgraded)).status, 401)
      const events = yield* dialog.events.pipe(Stream.take(1), Stream.runCollect, Effect.forkChild)
      const fresh = yield* send(invite)
      const signed = serverTransaction(answer(invite, fresh, "www-authenticate", "Authorization"))
      yield* tl.inject({ _tag: "RequestReceived", transaction: signed })
      const [incoming] = yield* Fiber.join(events)
      assert.strictEqual(incoming!._tag, "IncomingInvite")
      assert.lengthOf(tl.responses(signed.id), 0)
    }))

  it("parseTrustedNetworks: prefixes and single addresses of both families; anything else named", () => {
    const trust = parseTrustedNetworks("10.0.0.0/8,192.0.2.7,::1,2001:db8::/32")
    if (typeof trust === "string") throw new Error(trust)
    assert.isTrue(trust.trusts("10.200.1.1"))
    assert.isTrue(trust.trusts("192.0.2.7"))
    assert.isFalse(trust.trusts("192.0.2.8"))
    assert.isTrue(trust.trusts("::1"))
    assert.isTrue(trust.trusts("2001:db8:1::5"))
    assert.isFalse(trust.trusts("2001:db9::1"))
    assert.isFalse(trust.trusts("example.com"))
    for (const bad of ["10.0.0.0/33", "10.0.0.0/x", "host.example", "10.0.0.0/8/1", "::1/129"]) {
      assert.include(parseTrustedNetworks(bad) as string, bad)
    }
  })

  it("the CLI refuses flag combinations it cannot honour, naming the flag", () => {
    const flags: RegistrarFlags = {
      registrar: true,
      users: Option.none(),
      dataDir: "/nonexistent",
      database: Option.none(),
      realm: Option.none(),
      digest: "sha-256,md5",
      usersTable: false,
      auth: Option.some("invite"),
      authTrust: Option.none(),
      authDomains: Option.none(),
      authQop: "auth",
      authStatus: "401"
    }
    const refusal = (f: RegistrarFlags) => {
      try {
        registrarLayer(f, "example.com")
        return undefined
      } catch (e) {
        return (e as Error).message
      }
    }
    assert.match(refusal(flags)!, /--auth invite: needs --users or --users-table/)
    assert.isUndefined(refusal({ ...flags, usersTable: true, authStatus: "407" }))
    assert.match(refusal({ ...flags, usersTable: true, authTrust: Option.some("10.0.0.0/99") })!, /--auth-trust: "10.0.0.0\/99"/)
    assert.match(refusal({ ...flags, users: Option.some("u.txt"), usersTable: true })!, /choose one/)
    assert.match(refusal({ ...flags, usersTable: true, authDomains: Option.some("pbx.example,bad domain") })!, /--auth-domains: "bad domain"/)
    assert.match(refusal({ ...flags, usersTable: true, auth: Option.none(), authDomains: Option.some("pbx.example") })!, /--auth-domains: only with --auth invite/)
    assert.isUndefined(refusal({ ...flags, usersTable: true, authDomains: Option.some("pbx.example, b.example") }))
    assert.match(refusal({ ...flags, usersTable: true, auth: Option.none(), authTrust: Option.some("10.0.0.0/8") })!, /only with --auth invite/)
    assert.match(refusal({ ...flags, registrar: false, auth: Option.none(), usersTable: true })!, /--users-table: only with --registrar/)
  })
})
