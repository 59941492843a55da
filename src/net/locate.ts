/**
 * RFC 3263 §4: the transport addresses to try, in order, for a SIP or SIPS URI.
 *
 * - An IP literal, or a name with an explicit port: no NAPTR/SRV (§4.1, §4.2); the transport is the
 *   `transport` param, else UDP (sip:) or TLS (sips:); a name is resolved to its A and AAAA addresses.
 * - A `transport` param and no port: SRV for that transport, else A/AAAA on the default port.
 * - Neither: NAPTR for the services we speak (sips: only SIPS+D2T), ordered by order then preference, each
 *   followed by SRV; with no NAPTR, SRV for each transport we speak; with no SRV, A/AAAA with UDP (TLS for sips:).
 * SRV targets are ordered by priority and weight (RFC 2782, srv-order.ts). Failover walks the list (§4.3).
 */
import { isIP } from "node:net"
import { Effect } from "effect"
import { NetworkError } from "../errors.ts"
import { isParseError, parseUri } from "../sip/index.ts"
import type { Endpoint, TransportKind } from "../transport/transport.ts"
import { bareHost, DEFAULT_SIP_PORT, DEFAULT_SIPS_PORT } from "./destination.ts"
import type { DnsLookup } from "./dns-lookup.ts"
import { srvOrder } from "./srv-order.ts"

/** NAPTR service field (RFC 3263 §4.1, RFC 7118 §8) ↔ transport. */
const SERVICES: Record<string, TransportKind> = {
  "SIP+D2U": "udp",
  "SIP+D2T": "tcp",
  "SIPS+D2T": "tls",
  "SIP+D2W": "ws",
  "SIPS+D2W": "wss"
}

/** SRV owner name prefix per transport (§4.1: _sips._tcp for TLS). */
const SRV_PREFIX: Partial<Record<TransportKind, string>> = { udp: "_sip._udp.", tcp: "_sip._tcp.", tls: "_sips._tcp." }

const KINDS: ReadonlyArray<TransportKind> = ["udp", "tcp", "tls", "ws", "wss"]

const defaultPort = (transport: TransportKind): number =>
  transport === "tls" || transport === "wss" ? DEFAULT_SIPS_PORT : DEFAULT_SIP_PORT

export interface LocateOptions {
  readonly dns: DnsLookup
  /** Transports we have open, in our order of preference when the peer states none. */
  readonly transports: ReadonlyArray<TransportKind>
  /** Pins the SRV weighted draw in tests. */
  readonly random?: () => number
}

const unresolved = (uri: string, why: string) =>
  new NetworkError({ reason: "ConnectFailed", refusal: "NameNotResolved", address: uri, message: `${uri}: ${why}` })

export const locate = Effect.fnUntraced(function*(uri: string, options: LocateOptions) {
  const parsed = parseUri(uri)
  if (isParseError(parsed)) return yield* unresolved(uri, parsed.message)
  const { dns } = options
  const secure = parsed.scheme.toLowerCase() === "sips"
  const param = parsed.params["transport"]?.toLowerCase()
  const named = KINDS.find((k) => k === param)
  const explicit: TransportKind | undefined = secure ? (named === "wss" ? "wss" : "tls") : named
  const rawHost = bareHost(parsed.params["maddr"] ?? parsed.host)
  const host = rawHost.toLowerCase() === "localhost" ? "127.0.0.1" : rawHost
  const usable = (kind: TransportKind) => options.transports.includes(kind) && (!secure || kind === "tls" || kind === "wss")

  const at = (transport: TransportKind, port: number) => (addresses: ReadonlyArray<string>): Array<Endpoint> =>
    addresses.map((address) => ({ transport, host: address, port }))

  const viaSrv = (transport: TransportKind, owner: string) =>
    Effect.gen(function*() {
      const targets: Array<Endpoint> = []
      for (const record of srvOrder(yield* dns.srv(owner), options.random)) {
        targets.push(...at(transport, record.port)(yield* dns.addresses(record.name)))
      }
      return targets
    })

  const fallback = (transport: TransportKind, port: number) => dns.addresses(host).pipe(Effect.map(at(transport, port)))

  let targets: Array<Endpoint>
  if (isIP(host) !== 0) {
    const transport = explicit ?? "udp"
    targets = [{ transport, host, port: parsed.port ?? defaultPort(transport) }]
  } else if (parsed.port !== undefined) {
    targets = yield* fallback(explicit ?? "udp", parsed.port)
  } else if (explicit !== undefined) {
    const prefix = SRV_PREFIX[explicit]
    targets = prefix === undefined ? [] : yield* viaSrv(explicit, prefix + host)
    if (targets.length === 0) targets = yield* fallback(explicit, defaultPort(explicit))
  } else {
    const naptr = (yield* dns.naptr(host))
      .filter((r) => r.flags.toLowerCase() === "s" && SERVICES[r.service.toUpperCase()] !== undefined)
      .filter((r) => usable(SERVICES[r.service.toUpperCase()]))
      .sort((a, b) => a.order - b.order || a.preference - b.preference)
    targets = []
    for (const record of naptr) targets.push(...(yield* viaSrv(SERVICES[record.service.toUpperCase()], record.replacement)))
    if (naptr.length === 0) {
      for (const kind of options.transports) {
        const prefix = SRV_PREFIX[kind]
        if (prefix !== undefined && usable(kind)) targets.push(...(yield* viaSrv(kind, prefix + host)))
      }
    }
    if (targets.length === 0) targets = yield* fallback(secure ? "tls" : "udp", secure ? DEFAULT_SIPS_PORT : DEFAULT_SIP_PORT)
  }
  if (targets.length === 0) return yield* unresolved(uri, `no address for ${host}`)
  return targets
})
