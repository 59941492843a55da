/**
 * Digest challenges (RFC 3261 §22.4, §25.1 `digest-cln`; RFC 2617 §3.2.1; RFC 8760 §2 algorithms):
 * parsing one, and choosing the one to answer when a 401/407 carries several.
 */
import { isParseError, type ParseError, parseChallenge as parseAuthChallenge, parseError } from "../sip/index.ts"

/** RFC 8760 §2.1 (SHA-256, SHA-512-256) and RFC 2617 (MD5) with their session variants. */
export type DigestAlgorithm = "MD5" | "MD5-sess" | "SHA-256" | "SHA-256-sess" | "SHA-512-256" | "SHA-512-256-sess"

const ALGORITHMS: ReadonlyArray<DigestAlgorithm> = [
  "MD5",
  "MD5-sess",
  "SHA-256",
  "SHA-256-sess",
  "SHA-512-256",
  "SHA-512-256-sess"
]

export interface DigestChallenge {
  readonly realm: string
  readonly nonce: string
  readonly opaque?: string
  /** Absent in the challenge means MD5 (RFC 2617 §3.2.1). */
  readonly algorithm: DigestAlgorithm
  /** The qop-options offered ("auth", "auth-int"); empty for an RFC 2069 challenge. */
  readonly qop: ReadonlyArray<string>
  /** The previous request's nonce was merely out of date: retry without asking for new credentials. */
  readonly stale: boolean
  readonly domain?: string
}

/** Algorithm tokens compare case-insensitively (RFC 2617 §3.2.1 leaves case to the token rule). */
export const parseAlgorithm = (token: string | undefined): DigestAlgorithm | undefined => {
  if (token === undefined) return "MD5"
  const lower = token.toLowerCase()
  return ALGORITHMS.find((a) => a.toLowerCase() === lower)
}

const fromParams = (params: Readonly<Record<string, string>>): DigestChallenge | ParseError => {
  const { realm, nonce } = params
  if (realm === undefined) return parseError("Digest challenge without realm", "digest-cln")
  if (nonce === undefined) return parseError("Digest challenge without nonce", "digest-cln")
  const algorithm = parseAlgorithm(params.algorithm)
  if (algorithm === undefined) return parseError(`Unsupported digest algorithm ${params.algorithm}`, "algorithm")
  const qop = params.qop === undefined
    ? []
    : params.qop.split(",").map((q) => q.trim().toLowerCase()).filter((q) => q.length > 0)
  return {
    realm,
    nonce,
    algorithm,
    qop,
    stale: params.stale?.toLowerCase() === "true",
    ...(params.opaque === undefined ? {} : { opaque: params.opaque }),
    ...(params.domain === undefined ? {} : { domain: params.domain })
  }
}

/**
 * The Digest challenge of one WWW-Authenticate / Proxy-Authenticate value (src/sip parses the generic
 * auth-param syntax; one header value is one challenge in SIP, §20.44). Another scheme, an unknown
 * algorithm or a missing realm/nonce is a ParseError.
 */
export const parseChallenge = (value: string): DigestChallenge | ParseError => {
  const parsed = parseAuthChallenge(value)
  if (isParseError(parsed)) return parsed
  if (parsed.scheme.toLowerCase() !== "digest") return parseError(`Not a Digest challenge: ${parsed.scheme}`, "challenge")
  return fromParams(parsed.params)
}

// Strength ranking: the sess variants rank with their hash.
const strength = (algorithm: DigestAlgorithm): number =>
  algorithm.startsWith("SHA-512-256") ? 3 : algorithm.startsWith("SHA-256") ? 2 : 1

/** qop=auth and RFC 2069 are answerable; a challenge demanding only auth-int needs the body hash too,
 *  which we support, so every parsed qop list is usable unless it names only unknown qop values. */
const answerable = (c: DigestChallenge): boolean =>
  c.qop.length === 0 || c.qop.includes("auth") || c.qop.includes("auth-int")

/**
 * The challenge to answer among every WWW-Authenticate (or Proxy-Authenticate) value of a response.
 * RFC 8760 §2.3–2.4 has the server list them in its order of preference and lets the UAC's local
 * policy decide; ours is the strongest supported hash (SHA-512-256 > SHA-256 > MD5), the server's
 * order breaking ties, so a downgrade to MD5 cannot be forced by header order alone. Unsupported algorithms and malformed challenges are ignored. With several realms
 * (forking proxies, §22.3) pass `realm` to answer that one.
 */
export const chooseChallenge = (values: ReadonlyArray<string>, realm?: string): DigestChallenge | undefined => {
  let best: DigestChallenge | undefined
  for (const value of values) {
    const c = parseChallenge(value)
    if (isParseError(c) || !answerable(c)) continue
    if (realm !== undefined && c.realm !== realm) continue
    if (best === undefined || strength(c.algorithm) > strength(best.algorithm)) best = c
  }
  return best
}
