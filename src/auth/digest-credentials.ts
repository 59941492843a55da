/**
 * Digest credentials (RFC 3261 §22.2/§22.3, §25.1 `dig-resp`; RFC 2617 §3.2.2): computed from a
 * challenge and formatted as an Authorization / Proxy-Authorization value.
 */
import { randomBytes } from "node:crypto"
import { formatCredentials as formatAuth, isParseError, parseCredentials as parseAuth } from "../sip/index.ts"
import type { DigestChallenge } from "./digest-challenge.ts"
import { digestResponse, formatNc } from "./digest-response.ts"

/** What the user configures. `realm` restricts the credentials to one realm (§22.1: no realm → any). */
export interface DigestCredentials {
  readonly username: string
  readonly password: string
  readonly realm?: string
}

export interface CredentialsFields {
  readonly username: string
  readonly realm: string
  readonly nonce: string
  readonly uri: string
  readonly response: string
  readonly algorithm: string
  readonly opaque?: string
  readonly qop?: string
  readonly nc?: string
  readonly cnonce?: string
}

/** A fresh client nonce: 16 random bytes as hex (RFC 2617 §3.2.2: opaque to the server, unguessable). */
export const newCnonce = (): string => randomBytes(16).toString("hex")

/** qop=auth when offered (cheaper, and works with any body); auth-int only when it is all there is. */
const pickQop = (offered: ReadonlyArray<string>): string | undefined =>
  offered.length === 0 ? undefined : offered.includes("auth") ? "auth" : offered.includes("auth-int") ? "auth-int" : undefined

export interface ComputeOptions {
  readonly method: string
  readonly uri: string
  /** The nonce count for this use of the nonce (1 for the first). */
  readonly count: number
  readonly cnonce?: string
  readonly body?: Uint8Array
}

/** The credentials answering `challenge` for one request. */
export const computeCredentials = (
  challenge: DigestChallenge,
  credentials: DigestCredentials,
  options: ComputeOptions
): CredentialsFields => {
  const qop = pickQop(challenge.qop)
  const nc = qop === undefined ? undefined : formatNc(options.count)
  const cnonce = qop === undefined && !challenge.algorithm.endsWith("-sess")
    ? undefined
    : options.cnonce ?? newCnonce()
  const response = digestResponse({
    algorithm: challenge.algorithm,
    username: credentials.username,
    password: credentials.password,
    realm: challenge.realm,
    nonce: challenge.nonce,
    method: options.method,
    uri: options.uri,
    ...(qop === undefined ? {} : { qop, nc }),
    ...(cnonce === undefined ? {} : { cnonce }),
    ...(options.body === undefined ? {} : { body: options.body })
  })
  return {
    username: credentials.username,
    realm: challenge.realm,
    nonce: challenge.nonce,
    uri: options.uri,
    response,
    algorithm: challenge.algorithm,
    ...(challenge.opaque === undefined ? {} : { opaque: challenge.opaque }),
    ...(qop === undefined ? {} : { qop, nc }),
    ...(cnonce === undefined ? {} : { cnonce })
  }
}

/**
 * The header value. §25.1 `dig-resp`: username, realm, nonce, uri, response, cnonce and opaque are
 * quoted-strings; algorithm, message-qop and nonce-count are bare tokens (RFC 2617 §3.2.2 — some
 * servers reject `qop="auth"`). src/sip's formatter applies exactly those rules.
 */
export const formatCredentials = (c: CredentialsFields): string => {
  const params: Record<string, string> = {
    username: c.username,
    realm: c.realm,
    nonce: c.nonce,
    uri: c.uri,
    response: c.response,
    algorithm: c.algorithm
  }
  if (c.cnonce !== undefined) params.cnonce = c.cnonce
  if (c.opaque !== undefined) params.opaque = c.opaque
  if (c.qop !== undefined) params.qop = c.qop
  if (c.nc !== undefined) params.nc = c.nc
  return formatAuth({ scheme: "Digest", params })
}

/** The parameters of a Digest credentials value (names lower-cased), or undefined if it is not Digest. */
export const parseCredentials = (value: string): Readonly<Record<string, string>> | undefined => {
  const parsed = parseAuth(value)
  return isParseError(parsed) || parsed.scheme.toLowerCase() !== "digest" ? undefined : parsed.params
}
