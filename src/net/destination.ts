/**
 * Where a message goes: pure address rules, no I/O.
 *
 * - `responseDestination`: RFC 3261 §18.2.2 with RFC 3581 (rport), used for every response.
 * - `requestDestination`: a sip:/sips: URI to a transport address, the part of RFC 3263 that needs no
 *   DNS (an IP literal or "localhost"; no NAPTR/SRV).
 */
import { isParseError, parseUri, type ParseError, type SipUri, type Via } from "../sip/index.ts"
import type { Endpoint, TransportKind } from "../transport/transport.ts"

export const DEFAULT_SIP_PORT = 5060
export const DEFAULT_SIPS_PORT = 5061

/** "[::1]" → "::1": sockets and `received` (§18.2.1 grammar) take IPv6 addresses without brackets. */
export const bareHost = (host: string): string =>
  host.length > 1 && host.charCodeAt(0) === 91 /* [ */ && host.endsWith("]") ? host.slice(1, -1) : host

const kindOf = (viaTransport: string): TransportKind => {
  const upper = viaTransport.toUpperCase()
  return upper === "UDP" ? "udp" : upper === "TLS" ? "tls" : upper === "WS" ? "ws" : upper === "WSS" ? "wss" : "tcp"
}

/**
 * §18.2.2: where to send a response to a request whose top Via is `via` and which arrived from `source`.
 *
 * 1. Reliable transport: back over the connection the request came on, i.e. the source itself.
 * 2. `maddr` present: to that address, port from sent-by (default 5060).
 * 3. `received` present: to that address; the port is `rport` when it carries a value (RFC 3581 §4),
 *    else the sent-by port (default 5060).
 * 4. Otherwise to sent-by, port default 5060.
 */
export const responseDestination = (via: Via, source: Endpoint): Endpoint => {
  const transport = kindOf(via.transport)
  if (transport !== "udp" || source.transport !== "udp") return source
  if (via.maddr !== undefined) return toward(source, transport, bareHost(via.maddr), via.port ?? DEFAULT_SIP_PORT)
  const rport = typeof via.rport === "number" ? via.rport : undefined
  if (via.received !== undefined) {
    return toward(source, transport, bareHost(via.received), rport ?? via.port ?? DEFAULT_SIP_PORT)
  }
  return toward(source, transport, bareHost(via.host), rport ?? via.port ?? DEFAULT_SIP_PORT)
}

// Usually the answer goes back where the request came from (received/rport name the source): then the
// source itself, which the transport shares between a peer's datagrams, rather than an equal copy per
// transaction whose host is a slice of the request (a transaction keeps it for 32 s after the call).
const toward = (source: Endpoint, transport: TransportKind, host: string, port: number): Endpoint =>
  source.transport === transport && source.port === port && source.host === host ? source : { transport, host, port }

export interface RequestDestinationOptions {
  /** Transport when the URI has no `transport` param. Default "udp" (§18.1.1 / RFC 3263 §4.1). */
  readonly defaultTransport?: TransportKind
}

/**
 * A request target URI to a transport address: `maddr` wins over the host (§19.1.1), the `transport`
 * param picks UDP/TCP/TLS, the port defaults to 5060 (5061 for sips). sips: is TLS, whatever the param
 * says (RFC 5630 §3.1.3): a sips: target is never sent in the clear; without a TLS listener the send
 * fails with NetworkError "TransportUnavailable". "localhost" resolves to 127.0.0.1; other names are returned as-is
 * (no DNS here: the transports resolve their A/AAAA; NAPTR/SRV are `locate` in locate.ts).
 */
export const requestDestination = (
  uri: SipUri | string,
  options: RequestDestinationOptions = {}
): Endpoint | ParseError => {
  const parsed = typeof uri === "string" ? parseUri(uri) : uri
  if (isParseError(parsed)) return parsed
  const secure = parsed.scheme.toLowerCase() === "sips"
  const param = parsed.params["transport"]?.toLowerCase()
  const transport: TransportKind = secure || param === "tls"
    ? "tls"
    : param === "tcp" || param === "ws" || param === "wss"
    ? param
    : param === "udp"
    ? "udp"
    : options.defaultTransport ?? "udp"
  const host = bareHost(parsed.params["maddr"] ?? parsed.host)
  return {
    transport,
    host: host.toLowerCase() === "localhost" ? "127.0.0.1" : host,
    port: parsed.port ?? (secure ? DEFAULT_SIPS_PORT : DEFAULT_SIP_PORT)
  }
}
