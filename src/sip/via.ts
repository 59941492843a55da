/**
 * §20.42 Via: sent-protocol LWS sent-by *( SEMI via-params ), with RFC 3581 rport. One Via value
 * (the parser already split comma lists, §7.3.1); `topVia` reads the first, as §8.2.6.2 / §17 need.
 */
import { digitsValue, isLws } from "./chars.ts"
import { parseHostPort } from "./host-port.ts"
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

const readWord = (s: string, i: number, stop: number): number => {
  while (i < s.length && !isLws(s.charCodeAt(i)) && s.charCodeAt(i) !== stop) i++
  return i
}

/** sent-protocol with SLASH = SWS "/" SWS; returns [protocol, transport, index after] or undefined. */
const sentProtocol = (s: string): readonly [string, string, number] | undefined => {
  // Fast path: the canonical "SIP/2.0/UDP" spelling, as nearly every peer writes it.
  if (s.startsWith("SIP/2.0/")) {
    const end = readWord(s, 8, 59)
    if (end > 8) return ["SIP/2.0", upper(s.slice(8, end)), end]
  }
  const parts: Array<string> = []
  let i = 0
  for (let k = 0; k < 3; k++) {
    while (i < s.length && isLws(s.charCodeAt(i))) i++
    const start = i
    i = readWord(s, i, 47 /* / */)
    if (i === start) return undefined
    parts.push(s.slice(start, i))
    if (k < 2) {
      while (i < s.length && isLws(s.charCodeAt(i))) i++
      if (s.charCodeAt(i) !== 47) return undefined
      i++
    }
  }
  return [`${parts[0]}/${parts[1]}`.toUpperCase(), upper(parts[2]), i]
}

const upper = (t: string): string => t === "UDP" || t === "TCP" || t === "TLS" ? t : t.toUpperCase()

export const parseVia = (value: string): Via | ParseError => {
  const s = value
  const n = s.length
  const sent = sentProtocol(s)
  if (sent === undefined) return parseError("Bad Via sent-protocol", "Via")
  let i = sent[2]
  while (i < n && isLws(s.charCodeAt(i))) i++
  const sentByStart = i
  while (i < n && s.charCodeAt(i) !== 59 && !isLws(s.charCodeAt(i))) i++
  const hostPort = parseHostPort(s.slice(sentByStart, i))
  if (hostPort === undefined) return parseError("Bad Via sent-by", "Via")
  const params = parseParams(s, i, null, "Via")
  if (isParseError(params)) return params
  const { branch, maddr, received, rport, ttl } = params
  let rportValue: number | null | undefined
  if (rport === null) rportValue = null
  else if (rport !== undefined) {
    rportValue = digitsValue(rport)
    if (rportValue < 0 || rportValue > 65535) return parseError("Bad Via rport", "Via")
  }
  let ttlValue: number | undefined
  if (typeof ttl === "string") {
    ttlValue = digitsValue(ttl)
    if (ttlValue < 0 || ttlValue > 255) return parseError("Bad Via ttl", "Via")
  }
  // One object shape for every Via (absent fields are undefined): monomorphic for its readers.
  return {
    protocol: sent[0],
    transport: sent[1],
    host: hostPort.host,
    port: hostPort.port,
    branch: branch ?? undefined,
    received: received ?? undefined,
    rport: rportValue,
    maddr: maddr ?? undefined,
    ttl: ttlValue,
    params
  }
}

/** The first Via of a message (§8.2.6.2, §17.1.3 / §17.2.3 transaction matching). */
export const topVia = (message: SipMessage): Via | ParseError => {
  const headers = message.headers
  for (let i = 0; i < headers.length; i++) {
    if (headers[i].key === "via") return parseVia(headers[i].value)
  }
  return parseError("Missing Via header", "Via")
}
