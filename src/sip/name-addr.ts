/**
 * §20.10 / §20.20 / §20.39: ( name-addr / addr-spec ) *( SEMI param ) for From, To, Contact, Route,
 * Record-Route, Reply-To, Refer-To. In the addr-spec form every ';' after the URI starts a header
 * parameter, not a URI parameter (§20.10), which is why a URI with parameters must sit in <...>.
 */
import { isLws, isToken, TOKEN } from "./chars.ts"
import { parseParams, quote, readQuoted } from "./params.ts"
import { type ParseError, isParseError, parseError } from "./parse-error.ts"
import { isScheme } from "./start-line.ts"

export interface NameAddr {
  /** Unquoted and unescaped; undefined when absent. */
  readonly displayName?: string
  /** The URI text as written (without < >); `parseUri` gives its typed value. */
  readonly uri: string
  /** Header parameters, names lower-cased, a flag is "". */
  readonly params: Readonly<Record<string, string>>
  readonly tag?: string
}

const fail = (what: string): ParseError => parseError(`Bad name-addr: ${what}`, "name-addr")

export const parseNameAddr = (value: string): NameAddr | ParseError => {
  const s = value
  const n = s.length
  let i = 0
  while (i < n && isLws(s.charCodeAt(i))) i++
  let displayName: string | undefined
  let uri: string
  if (s.charCodeAt(i) === 34) {
    const q = readQuoted(s, i)
    if (q === undefined) return fail("unterminated display name")
    displayName = q.text
    i = q.end
    while (i < n && isLws(s.charCodeAt(i))) i++
    if (s.charCodeAt(i) !== 60) return fail("expected <")
  }
  const lt = s.indexOf("<", i)
  if (lt >= 0) {
    if (displayName === undefined) {
      // display-name = *(token LWS): tokens separated by whitespace.
      let end = lt
      while (end > i && isLws(s.charCodeAt(end - 1))) end--
      for (let k = i; k < end; k++) {
        const c = s.charCodeAt(k)
        if (!isLws(c) && (c >= 128 || TOKEN[c] === 0)) return fail("display name")
      }
      if (end > i) displayName = s.slice(i, end)
    }
    const gt = s.indexOf(">", lt)
    if (gt < 0) return fail("expected >")
    let a = lt + 1
    let b = gt
    while (a < b && isLws(s.charCodeAt(a))) a++
    while (b > a && isLws(s.charCodeAt(b - 1))) b--
    uri = s.slice(a, b)
    i = gt + 1
  } else {
    let end = i
    while (end < n && s.charCodeAt(end) !== 59 && !isLws(s.charCodeAt(end))) end++
    uri = s.slice(i, end)
    i = end
  }
  const colon = uri.indexOf(":")
  if (colon <= 0 || !isScheme(uri, colon)) return fail("URI")
  const params = parseParams(s, i, "", "name-addr")
  if (isParseError(params)) return params
  // One object shape (absent fields undefined): monomorphic for its readers.
  return { displayName, uri, params, tag: params.tag }
}

/** Always the name-addr form (<...>), so URI parameters never turn into header parameters. */
export const formatNameAddr = (addr: {
  readonly displayName?: string
  readonly uri: string
  readonly params?: Readonly<Record<string, string>>
}): string => {
  let out = addr.displayName === undefined ? "" : quote(addr.displayName) + " "
  out += "<" + addr.uri + ">"
  if (addr.params !== undefined) {
    for (const name in addr.params) {
      const v = addr.params[name]
      out += ";" + name + (v.length === 0 ? "" : "=" + (isToken(v) || /^[\w.:[\]-]+$/.test(v) ? v : quote(v)))
    }
  }
  return out
}
