/**
 * §19.1 SIP and SIPS URIs, RFC 3966 tel URIs, and any other absolute URI kept opaque (§8.2.2.1: the
 * UAS decides what to do with an unknown scheme). %-escapes are decoded in user, password, params and
 * headers (§19.1.2) and re-applied by `formatUri`, so `parseUri(formatUri(u))` gives `u` back.
 */
import { charTable, digitsValue, escape, unescape } from "./chars.ts"
import { type ParseError, parseError } from "./parse-error.ts"
import { isScheme } from "./start-line.ts"
import { parseHostPort } from "./host-port.ts"

export interface SipUri {
  /** Lower case: "sip", "sips", "tel", or any other scheme. */
  readonly scheme: string
  readonly user?: string
  readonly password?: string
  /** Host (IPv6 in brackets); "" for tel; the whole opaque part for other schemes. */
  readonly host: string
  readonly port?: number
  /** Names lower-cased; a flag parameter ("lr") has value "". */
  readonly params: Readonly<Record<string, string>>
  readonly headers: Readonly<Record<string, string>>
}

const fail = (what: string): ParseError => parseError(`Bad URI ${what}`, "SIP-URI")

/** `;name[=value]` URI parameters of s[from, to), decoded. */
const uriParams = (s: string, from: number, to: number): Record<string, string> | undefined => {
  const params: Record<string, string> = {}
  if (from >= to) return params
  for (const part of s.slice(from, to).split(";")) {
    if (part.length === 0) continue
    const eq = part.indexOf("=")
    const name = unescape(eq < 0 ? part : part.slice(0, eq))
    const value = eq < 0 ? "" : unescape(part.slice(eq + 1))
    if (name === undefined || value === undefined || name.length === 0) return undefined
    params[name.toLowerCase()] = value
  }
  return params
}

const hasSpace = (s: string): boolean => {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c <= 32 || c === 127) return true
  }
  return false
}

export const parseUri = (value: string): SipUri | ParseError => {
  const s = value.trim()
  const colon = s.indexOf(":")
  if (colon <= 0 || !isScheme(s, colon)) return fail("scheme")
  if (hasSpace(s)) return fail("character")
  const scheme = s.slice(0, colon).toLowerCase()
  if (scheme !== "sip" && scheme !== "sips" && scheme !== "tel") {
    return colon + 1 < s.length ? { scheme, host: s.slice(colon + 1), params: {}, headers: {} } : fail("body")
  }
  const q = s.indexOf("?", colon)
  const end = q < 0 ? s.length : q
  if (scheme === "tel") {
    const semi = s.indexOf(";", colon)
    const numberEnd = semi < 0 || semi > end ? end : semi
    const user = unescape(s.slice(colon + 1, numberEnd))
    const params = uriParams(s, numberEnd, end)
    if (user === undefined || user.length === 0 || params === undefined) return fail("telephone-subscriber")
    return { scheme, user, host: "", params, headers: {} }
  }
  // userinfo ends at the '@' (unescaped '@' may appear nowhere else, §25.1); user may hold ';' and '?'.
  const at = s.indexOf("@", colon)
  let hostStart = colon + 1
  let user: string | undefined
  let password: string | undefined
  if (at > 0) {
    const userinfo = s.slice(colon + 1, at)
    const pc = userinfo.indexOf(":")
    user = unescape(pc < 0 ? userinfo : userinfo.slice(0, pc))
    if (pc >= 0) password = unescape(userinfo.slice(pc + 1))
    if (user === undefined || user.length === 0 || (pc >= 0 && password === undefined)) return fail("userinfo")
    hostStart = at + 1
  }
  const q2 = s.indexOf("?", hostStart)
  const paramsEnd = q2 < 0 ? s.length : q2
  let semi = s.indexOf(";", hostStart)
  if (semi < 0 || semi > paramsEnd) semi = paramsEnd
  const hostPort = parseHostPort(s.slice(hostStart, semi))
  if (hostPort === undefined || !validHost(hostPort.host)) return fail("host")
  const params = uriParams(s, semi, paramsEnd)
  if (params === undefined) return fail("parameter")
  const headers: Record<string, string> = {}
  if (q2 >= 0) {
    for (const part of s.slice(q2 + 1).split("&")) {
      if (part.length === 0) continue
      const eq = part.indexOf("=")
      const name = unescape(eq < 0 ? part : part.slice(0, eq))
      const hv = eq < 0 ? "" : unescape(part.slice(eq + 1))
      if (name === undefined || hv === undefined || name.length === 0) return fail("header")
      headers[name] = hv
    }
  }
  const uri: { -readonly [K in keyof SipUri]: SipUri[K] } = { scheme, host: hostPort.host, params, headers }
  if (user !== undefined) uri.user = user
  if (password !== undefined) uri.password = password
  if (hostPort.port !== undefined) uri.port = hostPort.port
  return uri
}

/** hostname / IPv4address / IPv6reference (§25.1), loosely: no empty labels, no stray characters. */
const validHost = (host: string): boolean => {
  if (host.charCodeAt(0) === 91) return /^\[[0-9a-fA-F:.]+\]$/.test(host)
  for (let i = 0; i < host.length; i++) {
    const c = host.charCodeAt(i)
    const ok = (c >= 48 && c <= 57) || ((c | 32) >= 97 && (c | 32) <= 122) || c === 45 || c === 46 || c === 95
    if (!ok) return false
  }
  return host.length > 0 && digitsValue(host) < 0
}

// §25.1: user-unreserved, password chars, param-unreserved, hnv-unreserved (plus unreserved).
const USER = charTable("&=+$,;?/")
const PASSWORD = charTable("&=+$,")
const PARAM = charTable("[]/:&+$")
const HEADER = charTable("[]/?:+$")
const TEL = charTable("+") // RFC 3966: visual separators "-.()" are unreserved already

export const formatUri = (uri: SipUri): string => {
  let out = uri.scheme + ":"
  if (uri.scheme === "tel") {
    out += escape(uri.user ?? "", TEL)
  } else if (uri.scheme !== "sip" && uri.scheme !== "sips") {
    return out + uri.host
  } else {
    if (uri.user !== undefined) {
      out += escape(uri.user, USER)
      if (uri.password !== undefined) out += ":" + escape(uri.password, PASSWORD)
      out += "@"
    }
    out += uri.host
    if (uri.port !== undefined) out += ":" + uri.port
  }
  for (const name in uri.params) {
    const v = uri.params[name]
    out += ";" + escape(name, PARAM) + (v.length === 0 ? "" : "=" + escape(v, PARAM))
  }
  let sep = "?"
  for (const name in uri.headers) {
    out += sep + escape(name, HEADER) + "=" + escape(uri.headers[name], HEADER)
    sep = "&"
  }
  return out
}
