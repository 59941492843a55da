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

/**
 * The spellings nearly every message uses, recognised in place in the parser's text (no slice, no
 * hash): `KNOWN_NAMES[i]` is the name as written, `KNOWN_KEYS[i]` its key.
 */
export const KNOWN_NAMES: ReadonlyArray<string> = [
  "Via", "From", "To", "Call-ID", "CSeq", "Contact", "Max-Forwards", "Content-Type", "Content-Length",
  "Allow", "Supported", "User-Agent", "Record-Route", "Route", "Expires", "Require", "Server",
  "v", "f", "t", "i", "m", "l", "c", "k"
]
export const KNOWN_KEYS: ReadonlyArray<string> = KNOWN_NAMES.map((n) => n.length === 1 ? COMPACT[n] : n.toLowerCase())

const byLength: ReadonlyArray<ReadonlyArray<number>> = (() => {
  const buckets: Array<Array<number>> = []
  for (let i = 0; i < 16; i++) buckets.push([])
  KNOWN_NAMES.forEach((n, i) => buckets[n.length].push(i))
  return buckets
})()

/** Index in KNOWN_NAMES of text[from, to), or -1. */
export const knownName = (text: string, from: number, to: number): number => {
  const len = to - from
  if (len >= byLength.length) return -1
  const bucket = byLength[len]
  for (let b = 0; b < bucket.length; b++) {
    if (text.startsWith(KNOWN_NAMES[bucket[b]], from)) return bucket[b]
  }
  return -1
}

const common = (name: string): string | undefined => {
  const i = knownName(name, 0, name.length)
  return i < 0 ? undefined : KNOWN_KEYS[i]
}

/** The canonical lower-case long name of a header name as written ("v" → "via", "CALL-ID" → "call-id"). */
export const headerKey = (name: string): string => {
  const known = common(name)
  if (known !== undefined) return known
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

export const headerSpelling = (key: string): string =>
  DISPLAY[key] ?? key.replace(/(^|-)([a-z])/g, (_, dash: string, c: string) => dash + c.toUpperCase())
