/**
 * Server-side digest authentication (RFC 3261 §22, RFC 7616, RFC 8760) in front of the registrar and of
 * INVITE: challenges, our own client's credentials accepted, replay, stale nonces, no user enumeration,
 * the per-source failure limit.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Fiber, Layer, Stream } from "effect"
import { TestClock } from "effect/testing"
import { computeCredentials, formatCredentials, parseChallenge } from "../../src/auth/index.ts"
import { ChallengerLive } from "../../src/auth/challenger-live.ts"
import { hashHex } from "../../src/auth/digest-response.ts"
import { UserStoreLive } from "../../src/auth/user-store.ts"
import { isParseError, getHeaders } from "../../src/sip/index.ts"
import type { SipRequest, SipResponse } from "../../src/sip/message.ts"
import { incomingInvite, serverTransaction } from "../dialog/support.ts"
import { register, registrarSetup } from "../registrar/support.ts"
import { LocationMemory } from "../../src/registrar/location-memory.ts"

const users = `# test users
bob:secret
carol:md5:${hashHex("MD5", "carol:example.com:hunter2")}
`

const withAuth = (options: { threshold?: number; userThreshold?: number; gate?: ReadonlyArray<string> } = {}) =>
  registrarSetup({}, LocationMemory.layer, {
    challenger: ChallengerLive.layer({
      realm: "example.com",
      threshold: options.threshold ?? 5,
      userThreshold: options.userThreshold ?? 50,
      nonceLifetimeMs: 60_000
    }).pipe(
      Layer.provide(UserStoreLive.fromText(users))
    ),
    gate: options.gate ?? []
  })

/** The request again, with credentials answering the challenge of `response` in `algorithm`. */
const answer = (request: SipRequest, response: SipResponse, user: string, password: string, algorithm = "SHA-256", count = 1) => {
  const value = getHeaders(response, "www-authenticate").find((v) => v.includes(`algorithm=${algorithm}`))!
  const challenge = parseChallenge(value)
  if (isParseError(challenge)) throw new Error(challenge.message)
  const fields = computeCredentials(challenge, { username: user, password }, { method: request.method, uri: request.uri, count })
  const cseq = request.headers.find((h) => h.key === "cseq")!.value.replace(/^\d+/, (n) => String(Number(n) + 1))
  return {
    ...request,
    headers: [
      ...request.headers.map((h) => (h.key === "cseq" ? { ...h, value: cseq } : h)),
      { name: "Authorization", key: "authorization", value: formatCredentials(fields) }
    ]
  }
}

const bob = register({ contacts: ["<sip:bob@10.0.0.9:5061>"], cseq: 1 })
const attacker = { transport: "udp", host: "10.6.6.6", port: 5060 } as const

describe("digest challenges (RFC 7616, RFC 8760)", () => {
  it.effect("REGISTER gets 401 with SHA-256 and MD5 challenges, then 200 with either", () =>
    Effect.gen(function*() {
      const { send, registrar } = yield* withAuth()
      const challenged = yield* send(bob)
      assert.strictEqual(challenged.status, 401)
      const offers = getHeaders(challenged, "www-authenticate")
      assert.lengthOf(offers, 2)
      assert.match(offers[0]!, /^Digest realm="example.com", nonce="[^"]+", algorithm=SHA-256, qop="auth"$/)
      assert.match(offers[1]!, /algorithm=MD5/)
      const ok = yield* send(answer(bob, challenged, "bob", "secret"))
      assert.strictEqual(ok.status, 200)
      assert.lengthOf(yield* registrar.lookup("sip:bob@example.com"), 1)
      const again = register({ contacts: ["<sip:bob@10.0.0.9:5061>"], cseq: 10 })
      assert.strictEqual((yield* send(answer(again, yield* send(again), "bob", "secret", "MD5"))).status, 200)
    }))

  it.effect("credentials whose value repeats the header name (SIPp's `Authorization: [authentication]`) are read", () =>
    Effect.gen(function*() {
      const { send } = yield* withAuth()
      const authorized = answer(bob, yield* send(bob), "bob", "secret", "MD5")
      const doubled = { ...authorized, headers: authorized.headers.map((h) => (h.key === "authorization" ? { ...h, value: `Authorization: ${h.value}` } : h)) }
      assert.strictEqual((yield* send(doubled)).status, 200)
    }))

  it.effect("a password stored as HA1 works; another user's AOR is 403", () =>
    Effect.gen(function*() {
      const { send } = yield* withAuth()
      const carol = register({ contacts: ["<sip:carol@10.0.0.7>"], cseq: 1, aor: "sip:carol@example.com" })
      assert.strictEqual((yield* send(answer(carol, yield* send(carol), "carol", "hunter2", "MD5"))).status, 200)
      const asBob = register({ contacts: ["<sip:bob@10.0.0.7>"], cseq: 1, aor: "sip:carol@example.com", callId: "x" })
      assert.strictEqual((yield* send(answer(asBob, yield* send(asBob), "bob", "secret"))).status, 403)
    }))

  it.effect("a replayed Authorization (same nonce, same nc) is refused", () =>
    Effect.gen(function*() {
      const { send, challenger } = yield* withAuth()
      const authorized = answer(bob, yield* send(bob), "bob", "secret")
      assert.strictEqual((yield* send(authorized)).status, 200)
      const replay = yield* send({ ...authorized })
      assert.strictEqual(replay.status, 401)
      assert.strictEqual((yield* challenger!.counts).failures, 1)
    }))

  it.effect("a nonce past its lifetime with the right password: 401 stale=true; a forged nonce fails", () =>
    Effect.gen(function*() {
      const { send } = yield* withAuth()
      const challenged = yield* send(bob)
      yield* TestClock.adjust("61 seconds")
      const stale = yield* send(answer(bob, challenged, "bob", "secret"))
      assert.strictEqual(stale.status, 401)
      assert.include(getHeaders(stale, "www-authenticate")[0]!, "stale=true")
      const forged = answer(bob, challenged, "bob", "secret")
      const tampered = { ...forged, headers: forged.headers.map((h) => (h.key === "authorization" ? { ...h, value: h.value.replace(/nonce="[^"]*"/, 'nonce="0.AAAA"') } : h)) }
      const refused = yield* send(tampered)
      assert.notInclude(getHeaders(refused, "www-authenticate")[0]!, "stale")
    }))

  it.effect("unknown and known users get the same challenge and the same refusal", () =>
    Effect.gen(function*() {
      const { send } = yield* withAuth()
      const shape = (r: SipResponse) => [r.status, ...getHeaders(r, "www-authenticate").map((v) => v.replace(/nonce="[^"]+"/, ""))]
      const wrong = yield* send(answer(bob, yield* send(bob), "bob", "nope"))
      const nobody = register({ contacts: ["<sip:eve@10.0.0.9>"], cseq: 1, aor: "sip:eve@example.com" })
      const unknown = yield* send(answer(nobody, yield* send(nobody), "eve", "nope"))
      assert.deepStrictEqual(shape(unknown), shape(wrong))
      assert.strictEqual(wrong.status, 401)
    }))

  it.effect("1,000 wrong passwords from one address: 403 after the threshold, a log, a counter; others still served", () =>
    Effect.gen(function*() {
      const { send, challenger } = yield* withAuth({ threshold: 20 })
      const statuses = new Map<number, number>()
      for (let i = 0; i < 1000; i++) {
        const attempt = register({ contacts: ["<sip:bob@10.6.6.6>"], cseq: 2 * i + 1, callId: "scan" })
        const challenged = yield* send(attempt, attacker)
        const r = challenged.status === 401 ? yield* send(answer(attempt, challenged, "bob", `guess-${i}`), attacker) : challenged
        statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1)
      }
      assert.strictEqual(statuses.get(401), 20)
      assert.isAbove(statuses.get(403)!, 970)
      const counts = yield* challenger!.counts
      assert.strictEqual(counts.failures, 20)
      assert.isAbove(counts.throttled, 970)
      // bob from his own address is served at once.
      assert.strictEqual((yield* send(answer(bob, yield* send(bob), "bob", "secret"))).status, 200)
      // The window passes: the attacker is challenged again, not refused.
      yield* TestClock.adjust("61 seconds")
      assert.strictEqual((yield* send(bob, attacker)).status, 401)
    }))

  it.effect("wrong passwords for one user spread over many addresses: every attempt for that user 403, right or wrong, for the window", () =>
    Effect.gen(function*() {
      const { send, challenger } = yield* withAuth({ threshold: 5, userThreshold: 30 })
      const statuses = new Map<number, number>()
      // 100 addresses, 3 guesses each: under the per-address limit, over the per-user one.
      for (let i = 0; i < 300; i++) {
        const from = { transport: "udp", host: `10.7.${Math.floor(i / 3)}.1`, port: 5060 } as const
        const attempt = register({ contacts: ["<sip:bob@10.7.0.1>"], cseq: 2 * i + 1, callId: "spread" })
        const challenged = yield* send(attempt, from)
        const r = yield* send(answer(attempt, challenged, "bob", `guess-${i}`), from)
        statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1)
      }
      assert.strictEqual(statuses.get(401), 30)
      assert.strictEqual(statuses.get(403), 270)
      assert.strictEqual((yield* challenger!.counts).failures, 30)
      // The right password is refused too while the window lasts (a guess cannot tell it was right) ...
      assert.strictEqual((yield* send(answer(bob, yield* send(bob), "bob", "secret"))).status, 403)
      // ... other users are served ...
      const carol = register({ contacts: ["<sip:carol@10.0.0.7>"], cseq: 1, aor: "sip:carol@example.com" })
      assert.strictEqual((yield* send(answer(carol, yield* send(carol), "carol", "hunter2", "MD5"))).status, 200)
      // ... and once it has passed, bob is again.
      yield* TestClock.adjust("61 seconds")
      const later = register({ contacts: ["<sip:bob@10.0.0.9:5061>"], cseq: 1, callId: "later" })
      assert.strictEqual((yield* send(answer(later, yield* send(later), "bob", "secret"))).status, 200)
    }))

  it.effect("--auth invite: an INVITE is challenged with 401 and goes on to the session with credentials", () =>
    Effect.gen(function*() {
      const { send, dialog, tl } = yield* withAuth({ gate: ["INVITE"] })
      const events = yield* dialog.events.pipe(Stream.take(1), Stream.runCollect, Effect.forkChild)
      const invite = incomingInvite()
      const challenged = yield* send(invite)
      assert.strictEqual(challenged.status, 401)
      const retried = answer(invite, challenged, "bob", "secret")
      // No answer from the dialog layer: the session has it now.
      const transaction = serverTransaction(retried)
      yield* tl.inject({ _tag: "RequestReceived", transaction })
      assert.lengthOf(tl.responses(transaction.id), 0)
      const [incoming] = yield* Fiber.join(events)
      assert.strictEqual(incoming!._tag, "IncomingInvite")
    }))
})
