/**
 * Challenging per domain (`--auth-domains pbx.example,b.example`), the rule of Kamailio's and OpenSIPS's stock
 * configurations (`from_uri==myself`): a request whose caller claims to be a user of one of our domains (its
 * From host) must prove it; a caller from another domain (a peer server, a trunk) has no credentials with us
 * and goes on unchallenged, so the application routes such calls only to local users (no open relay).
 */
import { getHeader, isParseError, parseNameAddr, parseUri, type SipRequest } from "../sip/index.ts"

export interface ChallengeDomains {
  /** Whether `request` claims one of the domains. A From we cannot read claims them (fail closed). */
  readonly claims: (request: SipRequest) => boolean
}

const hostname = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/

/** The From host of `request`, lower-cased, without brackets. */
const fromHost = (request: SipRequest): string | undefined => {
  const from = parseNameAddr(getHeader(request, "from") ?? "")
  const uri = isParseError(from) ? from : parseUri(from.uri)
  return isParseError(uri) ? undefined : uri.host.toLowerCase().replace(/^\[(.*)\]$/, "$1")
}

/** The domains of a comma-separated list (host names or IP addresses), or the first entry that is not one. */
export const parseChallengeDomains = (list: ReadonlyArray<string>): ChallengeDomains | string => {
  const domains = new Set<string>()
  for (const entry of list.map((e) => e.trim().toLowerCase()).filter((e) => e.length > 0)) {
    const bare = entry.replace(/^\[(.*)\]$/, "$1")
    if (!hostname.test(bare) && !/^[0-9a-f:.]+$/.test(bare)) return `"${entry}" is not a domain (a host name or an address)`
    domains.add(bare)
  }
  if (domains.size === 0) return "no domain given"
  return {
    claims: (request) => {
      const host = fromHost(request)
      return host === undefined || domains.has(host)
    }
  }
}
