/**
 * Header names: canonical keys (§7.3.3 compact forms, §7.3.1 case-insensitivity) and which headers
 * are comma lists (§7.3.1: only headers whose grammar is `#(...)` may be split at commas).
 */

/** §7.3.3 and the compact forms registered since (RFC 3515, 3892, 3903, 4028, 4474, 3841). */
const COMPACT: Readonly<Record<string, string>> = {
  a: "accept-contact",
  b: "referred-by",
  c: "content-type",
  d: "request-disposition",
  e: "content-encoding",
  f: "from",
  i: "call-id",
  j: "reject-contact",
  k: "supported",
  l: "content-length",
  m: "contact",
  n: "identity-info",
  o: "event",
  r: "refer-to",
  s: "subject",
  t: "to",
  u: "allow-events",
  v: "via",
  x: "session-expires",
  y: "identity"
}

/**
 * Names already seen, as written, to their key: one Map hit per header on the hot path instead of a
 * toLowerCase. Bounded so a peer sending random names cannot grow it without limit.
 */
const cache = new Map<string, string>()
const CACHE_LIMIT = 512

/** The canonical lower-case long name of a header name as written ("v" → "via", "CALL-ID" → "call-id"). */
export const headerKey = (name: string): string => {
  const hit = cache.get(name)
  if (hit !== undefined) return hit
  const lower = name.toLowerCase()
  const key = lower.length === 1 ? COMPACT[lower] ?? lower : lower
  if (cache.size < CACHE_LIMIT) cache.set(name, key)
  return key
}

/**
 * Headers whose grammar is a comma-separated list of values (RFC 3261 §20 and common extensions).
 * Not here on purpose: WWW-Authenticate, Authorization, Proxy-Authenticate, Proxy-Authorization
 * (commas separate auth-params), Date, and every single-valued header.
 */
export const LIST_HEADERS: ReadonlySet<string> = new Set([
  "via",
  "contact",
  "route",
  "record-route",
  "allow",
  "supported",
  "require",
  "proxy-require",
  "unsupported",
  "accept",
  "accept-encoding",
  "accept-language",
  "allow-events",
  "content-encoding",
  "content-language",
  "in-reply-to",
  "warning",
  "error-info",
  "alert-info",
  "call-info",
  "path",
  "service-route",
  "p-asserted-identity",
  "p-associated-uri",
  "history-info",
  "reason",
  "accept-contact",
  "reject-contact",
  "request-disposition",
  "security-client",
  "security-server",
  "security-verify"
])

/** Preferred spelling for keys when a builder writes a header by key (§7.3.1 canonical forms). */
const DISPLAY: Readonly<Record<string, string>> = {
  "call-id": "Call-ID",
  cseq: "CSeq",
  "www-authenticate": "WWW-Authenticate",
  "mime-version": "MIME-Version"
}

export const displayName = (key: string): string =>
  DISPLAY[key] ?? key.replace(/(^|-)([a-z])/g, (_, dash: string, c: string) => dash + c.toUpperCase())
