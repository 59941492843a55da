/**
 * Where an in-dialog request goes (RFC 3261 §12.2.1.1, §16.12.1.2 for strict routing, §8.1.2 for the
 * next hop): the Request-URI, the Route headers, and the transport address of the first hop.
 */
import { formatUri, isParseError, parseNameAddr, parseUri } from "../sip/index.ts"
import type { Endpoint, TransportKind } from "../transport/transport.ts"
import type { Dialog } from "./dialog-state.ts"

export interface Routing {
  readonly requestUri: string
  readonly routes: ReadonlyArray<string>
  readonly destination: Endpoint
}

const uriOfRoute = (route: string): string => {
  const parsed = parseNameAddr(route)
  return isParseError(parsed) ? route.replace(/^<|>$/g, "") : parsed.uri
}

/** A loose router marks its URI with `lr` (§19.1.1); a route without it is a strict (RFC 2543) router. */
const isLoose = (route: string): boolean => {
  const uri = parseUri(uriOfRoute(route))
  return !isParseError(uri) && uri.params["lr"] !== undefined
}

/** §19.1.1: a Request-URI must not carry `method`, `maddr`-less header parts etc.; keep the plain URI. */
const asRequestUri = (uri: string): string => {
  const parsed = parseUri(uri)
  if (isParseError(parsed)) return uri
  const { method: _method, ttl: _ttl, ...params } = parsed.params
  return formatUri({ ...parsed, params, headers: {} })
}

const transportOf = (value: string | undefined, fallback: TransportKind): TransportKind => {
  const lower = value?.toLowerCase()
  return lower === "udp" || lower === "tcp" || lower === "tls" || lower === "ws" || lower === "wss" ? lower : fallback
}

/** "[::1]" → "::1": sockets take IPv6 addresses without the URI's brackets. */
const bare = (host: string): string => (host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host)

/** §8.1.2 + RFC 3263 without DNS: host (or maddr), port (default 5060/5061), transport param. When the
 *  URI does not parse, the peer the dialog was set up with. */
export const endpointOf = (uri: string, fallback: Endpoint): Endpoint => {
  const parsed = parseUri(uri)
  if (isParseError(parsed)) return fallback
  const sips = parsed.scheme.toLowerCase() === "sips"
  return {
    // sips: is TLS on every hop we make (RFC 5630 §3.1.3): never a silent downgrade to TCP.
    transport: sips ? "tls" : transportOf(parsed.params["transport"], fallback.transport),
    host: bare(parsed.params["maddr"] ?? parsed.host),
    port: parsed.port ?? (sips ? 5061 : 5060)
  }
}

/** §12.2.1.1: empty route set → the remote target; a loose first route → the remote target with the
 *  whole route set; a strict first route → that route as Request-URI, the rest then the remote target. */
export const routeRequest = (dialog: Dialog): Routing => {
  const [first, ...rest] = dialog.routeSet
  if (first === undefined) {
    return { requestUri: dialog.remoteTarget, routes: [], destination: endpointOf(dialog.remoteTarget, dialog.peer) }
  }
  const destination = endpointOf(uriOfRoute(first), dialog.peer)
  if (isLoose(first)) return { requestUri: dialog.remoteTarget, routes: dialog.routeSet, destination }
  return {
    requestUri: asRequestUri(uriOfRoute(first)),
    routes: [...rest, `<${dialog.remoteTarget}>`],
    destination
  }
}
