/**
 * §20.27 / §20.44 / §22.4: challenges (WWW-Authenticate, Proxy-Authenticate) and credentials
 * (Authorization, Proxy-Authorization): a scheme, then comma-separated auth-params whose values are
 * tokens or quoted-strings. These headers are never list-split by the parser (their commas separate
 * params), so one header value is one challenge or one credentials.
 */
import { isToken } from "./chars.ts"
import { quote, readValue } from "./params.ts"
import { type ParseError, parseError } from "./parse-error.ts"

export interface AuthValue {
  /** As written, e.g. "Digest". */
  readonly scheme: string
  /** Names lower-cased, values unquoted. */
  readonly params: Readonly<Record<string, string>>
}

const isLws = (c: number): boolean => c === 32 || c === 9 || c === 13 || c === 10

const parseAuth = (value: string, rule: string): AuthValue | ParseError => {
  const s = value
  const n = s.length
  let i = 0
  while (i < n && isLws(s.charCodeAt(i))) i++
  const schemeStart = i
  while (i < n && !isLws(s.charCodeAt(i))) i++
  if (!isToken(s, schemeStart, i)) return parseError(`Bad ${rule} scheme`, rule)
  const scheme = s.slice(schemeStart, i)
  const params: Record<string, string> = {}
  while (true) {
    while (i < n && (isLws(s.charCodeAt(i)) || s.charCodeAt(i) === 44)) i++
    if (i >= n) return { scheme, params }
    const nameStart = i
    while (i < n && s.charCodeAt(i) !== 61 && !isLws(s.charCodeAt(i))) i++
    if (!isToken(s, nameStart, i)) return parseError(`Bad ${rule} parameter name`, rule)
    const name = s.slice(nameStart, i).toLowerCase()
    while (i < n && isLws(s.charCodeAt(i))) i++
    if (s.charCodeAt(i) !== 61) return parseError(`Missing = in ${rule} parameter`, rule)
    i++
    while (i < n && isLws(s.charCodeAt(i))) i++
    const end = readValue(s, i, 44 /* , */, params, name, rule)
    if (typeof end !== "number") return end
    i = end
    while (i < n && isLws(s.charCodeAt(i))) i++
    if (i < n && s.charCodeAt(i) !== 44) return parseError(`Expected , in ${rule}`, rule)
  }
}

/** WWW-Authenticate / Proxy-Authenticate (§20.44, §20.27). */
export const parseChallenge = (value: string): AuthValue | ParseError => parseAuth(value, "challenge")

/** Authorization / Proxy-Authorization (§20.7, §20.28). */
export const parseCredentials = (value: string): AuthValue | ParseError => parseAuth(value, "credentials")

/** §25.1 digest-response / digest-challenge: these are tokens, every other value is quoted. */
const UNQUOTED: ReadonlySet<string> = new Set(["algorithm", "nc", "stale"])

const formatAuth = (auth: AuthValue, unquotedQop: boolean): string => {
  const parts: Array<string> = []
  for (const name in auth.params) {
    const v = auth.params[name]
    const bare = (UNQUOTED.has(name) || (unquotedQop && name === "qop")) && isToken(v)
    parts.push(`${name}=${bare ? v : quote(v)}`)
  }
  return parts.length === 0 ? auth.scheme : `${auth.scheme} ${parts.join(", ")}`
}

/** Credentials for an Authorization header: `qop` is a bare token here (§25.1 message-qop). */
export const formatCredentials = (credentials: AuthValue): string => formatAuth(credentials, true)

/** A challenge: `qop` is a quoted list of options here (§25.1 qop-options). */
export const formatChallenge = (challenge: AuthValue): string => formatAuth(challenge, false)
