/**
 * How long the registrar granted our binding (RFC 3261 §10.2.4): "the expiration interval … is given by
 * the expires parameter of the Contact header field value matching ours, or the Expires header field
 * if none", the registrar being free to shorten what we asked for (§10.3 step 7).
 */
import { getHeader, getHeaders, isParseError, parseExpires, parseNameAddr, parseUri } from "../sip/index.ts"
import type { SipResponse } from "../sip/message.ts"

/** §19.1.4, loosely: same scheme, user, host (case-insensitive) and port (5060 when absent). */
const sameContact = (a: string, b: string): boolean => {
  const x = parseUri(a)
  const y = parseUri(b)
  if (isParseError(x) || isParseError(y)) return a === b
  const port = (p: number | undefined, scheme: string) => p ?? (scheme === "sips" ? 5061 : 5060)
  return x.scheme === y.scheme &&
    x.user === y.user &&
    x.host.toLowerCase() === y.host.toLowerCase() &&
    port(x.port, x.scheme) === port(y.port, y.scheme)
}

const seconds = (value: string | undefined): number | undefined => {
  if (value === undefined) return undefined
  const n = parseExpires(value)
  return isParseError(n) ? undefined : n
}

/** Every Contact URI of a 2xx to REGISTER: the AOR's current bindings (§10.3 step 8). */
export const boundContacts = (response: SipResponse): ReadonlyArray<string> =>
  getHeaders(response, "contact").flatMap((value) => {
    const parsed = parseNameAddr(value)
    return isParseError(parsed) ? [] : [parsed.uri]
  })

/** The granted expiry in seconds; `requested` when the 2xx says nothing either way. */
export const grantedExpiry = (response: SipResponse, contactUri: string, requested: number): number => {
  for (const value of getHeaders(response, "contact")) {
    const parsed = parseNameAddr(value)
    if (isParseError(parsed) || !sameContact(parsed.uri, contactUri)) continue
    const fromParam = seconds(parsed.params.expires)
    if (fromParam !== undefined) return fromParam
  }
  return seconds(getHeader(response, "expires")) ?? requested
}
