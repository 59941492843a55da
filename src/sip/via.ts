/**
 * §20.42 Via: sent-protocol LWS sent-by *( SEMI via-params ), with RFC 3581 rport. One Via value
 * (the parser already split comma lists, §7.3.1); `topVia` reads the first, as §8.2.6.2 / §17 need.
 */
import { digitsValue } from "./chars.ts"
import type { SipMessage } from "./message.ts"
import { parseParams } from "./params.ts"
import { type ParseError, isParseError, parseError } from "./parse-error.ts"

export interface Via {
  /** "SIP/2.0" (upper case). */
  readonly protocol: string
  /** "UDP", "TCP", "TLS", … (upper case). */
  readonly transport: string
  /** sent-by host as written; an IPv6 reference keeps its brackets. */
  readonly host: string
  readonly port?: number
  readonly branch?: string
  readonly received?: string
  /** RFC 3581: null for a bare `;rport` (a request to fill it in), the port when valued. */
  readonly rport?: number | null
  readonly maddr?: string
  readonly ttl?: number
  /** Every parameter, names lower-cased; a flag is null. */
  readonly params: Readonly<Record<string, string | null>>
}

const isLws = (c: number): boolean => c === 32 || c === 9

/** Splits "host[:port]" (IPv6 in brackets) into host and port; undefined when malformed. */
export const parseHostPort = (s: string): { readonly host: string; readonly port?: number } | undefined => {
  if (s.length === 0) return undefined
  let hostEnd: number
  if (s.charCodeAt(0) === 91 /* [ */) {
    hostEnd = s.indexOf("]") + 1
    if (hostEnd <= 1) return undefined
  } else {
    hostEnd = s.indexOf(":")
    if (hostEnd < 0) hostEnd = s.length
  }
  if (hostEnd === 0) return undefined
  const host = s.slice(0, hostEnd)
  if (hostEnd === s.length) return { host }
  if (s.charCodeAt(hostEnd) !== 58) return undefined
  const port = digitsValue(s, hostEnd + 1)
  if (port < 0 || port > 65535) return undefined
  return { host, port }
}

const readWord = (s: string, i: number, stop: number): number => {
  while (i < s.length && !isLws(s.charCodeAt(i)) && s.charCodeAt(i) !== stop) i++
  return i
}

export const parseVia = (value: string): Via | ParseError => {
  const s = value
  const n = s.length
  let i = 0
  // sent-protocol = protocol-name SLASH protocol-version SLASH transport; SLASH = SWS "/" SWS
  const parts: Array<string> = []
  for (let k = 0; k < 3; k++) {
    while (i < n && isLws(s.charCodeAt(i))) i++
    const start = i
    i = readWord(s, i, 47 /* / */)
    if (i === start) return parseError("Bad Via sent-protocol", "Via")
    parts.push(s.slice(start, i))
    while (i < n && isLws(s.charCodeAt(i))) i++
    if (k < 2) {
      if (s.charCodeAt(i) !== 47) return parseError("Bad Via sent-protocol", "Via")
      i++
    }
  }
  const sentByStart = i
  while (i < n && s.charCodeAt(i) !== 59 && !isLws(s.charCodeAt(i))) i++
  const hostPort = parseHostPort(s.slice(sentByStart, i))
  if (hostPort === undefined) return parseError("Bad Via sent-by", "Via")
  const params = parseParams(s, i, null, "Via")
  if (isParseError(params)) return params
  const via: {
    protocol: string
    transport: string
    host: string
    port?: number
    branch?: string
    received?: string
    rport?: number | null
    maddr?: string
    ttl?: number
    params: Readonly<Record<string, string | null>>
  } = { protocol: `${parts[0]}/${parts[1]}`.toUpperCase(), transport: parts[2].toUpperCase(), host: hostPort.host, params }
  if (hostPort.port !== undefined) via.port = hostPort.port
  const { branch, maddr, received, rport, ttl } = params
  if (typeof branch === "string") via.branch = branch
  if (typeof received === "string") via.received = received
  if (typeof maddr === "string") via.maddr = maddr
  if (rport !== undefined) {
    if (rport === null) via.rport = null
    else {
      const port = digitsValue(rport)
      if (port < 0 || port > 65535) return parseError("Bad Via rport", "Via")
      via.rport = port
    }
  }
  if (typeof ttl === "string") {
    const t = digitsValue(ttl)
    if (t < 0 || t > 255) return parseError("Bad Via ttl", "Via")
    via.ttl = t
  }
  return via
}

/** The first Via of a message (§8.2.6.2, §17.1.3 / §17.2.3 transaction matching). */
export const topVia = (message: SipMessage): Via | ParseError => {
  const headers = message.headers
  for (let i = 0; i < headers.length; i++) {
    if (headers[i].key === "via") return parseVia(headers[i].value)
  }
  return parseError("Missing Via header", "Via")
}
