/**
 * The digest computation (RFC 2617 §3.2.2, RFC 7616 §3.4, RFC 3261 §22.4, RFC 8760):
 *
 *   A1 = username ":" realm ":" password            (−sess: H(A1) ":" nonce ":" cnonce)
 *   A2 = Method ":" digest-uri                      (auth-int: … ":" H(entity-body))
 *   response = H( H(A1) ":" nonce ":" nc ":" cnonce ":" qop ":" H(A2) )   with qop
 *   response = H( H(A1) ":" nonce ":" H(A2) )                              RFC 2069, no qop
 */
import { hash } from "node:crypto"
import type { DigestAlgorithm } from "./digest-challenge.ts"

const NODE_HASH: Readonly<Record<string, string>> = {
  MD5: "md5",
  "SHA-256": "sha256",
  "SHA-512-256": "sha512-256"
}

const baseOf = (algorithm: DigestAlgorithm): string => algorithm.replace(/-sess$/, "")

/** Lower-case hex of the algorithm's hash of `data` (UTF-8, RFC 7616 §3.4.4 charset). One-shot: three per
 *  credential checked, and a Hash object each cost more than the hashing. */
export const hashHex = (algorithm: DigestAlgorithm, data: string | Uint8Array): string =>
  hash(NODE_HASH[baseOf(algorithm)]!, data, "hex")

export interface DigestInput {
  readonly algorithm: DigestAlgorithm
  readonly username: string
  readonly password: string
  readonly realm: string
  readonly nonce: string
  readonly method: string
  /** The digest-uri: the Request-URI as sent (§22.4). */
  readonly uri: string
  /** "auth" or "auth-int"; undefined for the RFC 2069 form. */
  readonly qop?: string
  /** 8 lower-case hex digits, e.g. "00000001". */
  readonly nc?: string
  readonly cnonce?: string
  /** For qop=auth-int: the message body. */
  readonly body?: Uint8Array
}

/** H(A1), with the −sess rehash (RFC 2617 §3.2.2.2). */
export const ha1 = (input: DigestInput): string => {
  const h = hashHex(input.algorithm, `${input.username}:${input.realm}:${input.password}`)
  return input.algorithm.endsWith("-sess") ? hashHex(input.algorithm, `${h}:${input.nonce}:${input.cnonce ?? ""}`) : h
}

/** H(A2) (RFC 2617 §3.2.2.3). */
export const ha2 = (input: DigestInput): string =>
  input.qop === "auth-int"
    ? hashHex(input.algorithm, `${input.method}:${input.uri}:${hashHex(input.algorithm, input.body ?? new Uint8Array(0))}`)
    : hashHex(input.algorithm, `${input.method}:${input.uri}`)

/** The request-digest: the `response` parameter of the credentials. */
export const digestResponse = (input: DigestInput): string => {
  const h1 = ha1(input)
  const h2 = ha2(input)
  return input.qop === undefined
    ? hashHex(input.algorithm, `${h1}:${input.nonce}:${h2}`)
    : hashHex(input.algorithm, `${h1}:${input.nonce}:${input.nc ?? ""}:${input.cnonce ?? ""}:${input.qop}:${h2}`)
}

/** nc as the 8 lower-case hex digits of RFC 2617 §3.2.2 ("00000001"). */
export const formatNc = (count: number): string => count.toString(16).padStart(8, "0")
