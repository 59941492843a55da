/**
 * Checking a request's digest credentials as a server (RFC 3261 §22.4, RFC 7616 §3.4, RFC 8760): our
 * realm, a nonce we issued (nonce.ts), MD5 or SHA-256, a qop we offered (auth, or auth-int: the body
 * signed too), a fresh nonce-count, and the response recomputed from the stored H(A1). Unknown users fail exactly like wrong passwords (no enumeration).
 */
import { Effect } from "effect"
import { timingSafeEqual } from "node:crypto"
import { getHeaders, isParseError, parseCredentials, type SipRequest } from "../sip/index.ts"
import { hashHex } from "./digest-response.ts"
import { checkNonce, issuedAt, nonceAge } from "./nonce.ts"
import type { NonceCounts } from "./nonce-counts.ts"
import type { ServerAlgorithm, UserStore } from "./user-store.ts"

export type Qop = "auth" | "auth-int"

export type CredentialsCheck =
  /** No credentials for our realm: challenge, no failure counted. */
  | { readonly _tag: "Missing" }
  | { readonly _tag: "Valid"; readonly username: string }
  /** Right password on a nonce past its lifetime: challenge again with stale=true. */
  | { readonly _tag: "Stale" }
  | { readonly _tag: "Failed"; readonly reason: string; readonly username: string | undefined }

export interface VerifyInput {
  readonly request: SipRequest
  /** "authorization", or "proxy-authorization" when we challenge with 407. */
  readonly header: string
  /** That header's name and a colon, as some UAs repeat it inside the value. */
  readonly prefix: string
  readonly realm: string
  /** The algorithms we offered; credentials in another fail. */
  readonly algorithms: ReadonlyArray<ServerAlgorithm>
  /** The qop values we offered; credentials with another fail. */
  readonly qops: ReadonlyArray<Qop>
  readonly secret: Uint8Array
  readonly now: number
  readonly lifetimeMs: number
  readonly counts: NonceCounts
  readonly users: UserStore["Service"]
}

const algorithmOf = (token: string | undefined, offered: ReadonlyArray<ServerAlgorithm>): ServerAlgorithm | undefined => {
  const upper = token?.toUpperCase() ?? "MD5"
  return offered.find((a) => a === upper)
}

const equal = (a: string, b: string): boolean =>
  a.length === b.length && timingSafeEqual(Buffer.from(a), Buffer.from(b))

const missing = { _tag: "Missing" } as const

export const verifyCredentials = Effect.fnUntraced(function*(input: VerifyInput) {
  const { realm, request } = input
  let params: Readonly<Record<string, string>> | undefined
  for (const value of getHeaders(request, input.header)) {
    // Some UAs (SIPp scenarios writing `Authorization: [authentication]`) repeat the header's name in its value.
    const named = value.length > input.prefix.length && value.slice(0, input.prefix.length).toLowerCase() === input.prefix
    const auth = parseCredentials(named ? value.slice(input.prefix.length) : value)
    if (!isParseError(auth) && auth.scheme.toLowerCase() === "digest" && auth.params["realm"] === realm) {
      params = auth.params
      break
    }
  }
  if (params === undefined) return missing as CredentialsCheck
  const { cnonce, nc, nonce, qop, response, uri, username } = params
  const fail = (reason: string): CredentialsCheck => ({ _tag: "Failed", reason, username })
  const algorithm = algorithmOf(params["algorithm"], input.algorithms)
  if (algorithm === undefined) return fail("unsupported algorithm")
  if (username === undefined || nonce === undefined || uri === undefined || response === undefined) {
    return fail("incomplete credentials")
  }
  const given = input.qops.find((q) => q === qop?.toLowerCase())
  if (given === undefined || nc === undefined || cnonce === undefined || !/^[0-9a-f]{8}$/i.test(nc)) {
    return fail(`qop=${input.qops.join(" or ")} with nc and cnonce required`)
  }
  // A nonce in the count table passed this check when first used: a refresh (nc + 1) skips the HMAC.
  const state = input.counts.knows(nonce)
    ? nonceAge(nonce, input.now, input.lifetimeMs)
    : checkNonce(input.secret, realm, nonce, input.now, input.lifetimeMs)
  if (state === "invalid") return fail("nonce not ours")
  const ha1 = yield* input.users.ha1(username, realm, algorithm)
  // An unknown user costs the same hashing as a known one.
  const h1 = ha1 ?? hashHex(algorithm, `${username}:${realm}:`)
  const h2 = given === "auth"
    ? hashHex(algorithm, `${request.method}:${uri}`)
    : hashHex(algorithm, `${request.method}:${uri}:${hashHex(algorithm, request.body)}`)
  const expected = hashHex(algorithm, `${h1}:${nonce}:${nc}:${cnonce}:${given}:${h2}`)
  if (ha1 === undefined || !equal(expected, response.toLowerCase())) return fail("wrong credentials")
  if (state === "stale") return { _tag: "Stale" } as CredentialsCheck
  if (!input.counts.accept(nonce, issuedAt(nonce), parseInt(nc, 16))) return fail("replayed nonce-count")
  return { _tag: "Valid", username } as CredentialsCheck
})
