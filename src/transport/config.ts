/**
 * Configuration of the real (socket) Transport layers, with the defaults RFC 3261 suggests.
 */
import { firstExternalIpv4, isWildcard } from "../net/address.ts"
import type { DnsLookupOptions } from "../net/dns-lookup.ts"
import type { TransportKind } from "./transport.ts"

export interface TransportConfig {
  /** Address to bind. Default "0.0.0.0" (every IPv4 interface). */
  readonly host?: string
  /** Port to bind; 0 = ephemeral. UDP and TCP share the number: UDP binds first, TCP takes the port UDP got. */
  readonly port: number
  readonly transports: ReadonlyArray<TransportKind>
  /** Host written in `local` endpoints (what upper layers put in Via/Contact). Default: the bind host, or
   *  the first external IPv4 address when bound to a wildcard. */
  readonly advertisedHost?: string
  /** UDP receive buffer in datagrams; when full, new datagrams are dropped and counted. Default 4096. */
  readonly receiveBufferCapacity?: number
  /** Largest message accepted, in bytes (UDP datagram or TCP frame). Default 65535. */
  readonly maxMessageSize?: number
  /** A TCP connection with no traffic either way for this long is closed. Default 32 s ≈ 64*T1 (§17.1.1.2). */
  readonly tcpIdleTimeoutMs?: number
  /** Capacity of the inbound message queue towards the single consumer (backpressure). Default 1024. */
  readonly inboundQueueCapacity?: number
  /** TLS, used when `transports` has "tls" (and the certificate for "wss"). */
  readonly tls?: TlsConfig
  /** WebSocket (RFC 7118), used when `transports` has "ws" or "wss". */
  readonly ws?: WsConfig
  /** DNS for host names (UDP resolves them itself; TCP/TLS leave it to the OS): servers, timeout, cache. */
  readonly dns?: DnsLookupOptions
}

export interface WsConfig {
  /** Default 5066 for ws, 7443 for wss; 0 when `port` is 0 (ephemeral, for tests). */
  readonly port?: number
  readonly securePort?: number
  /** A ping every this often; a connection that did not answer the previous one is closed. Default 30 s. */
  readonly pingIntervalMs?: number
  /** Open WebSocket connections one source address may hold; more are refused at the handshake. Default 32. */
  readonly maxConnectionsPerSource?: number
}

export interface ResolvedWsConfig {
  readonly port: number
  readonly securePort: number
  readonly pingIntervalMs: number
  readonly maxConnectionsPerSource: number
}

/** TLS (RFC 3261 §26.2): PEM paths. Without certFile+keyFile TLS is outbound only (no listener). */
export interface TlsConfig {
  /** Default 5061 (the sips: default port); 0 when `port` is 0 (ephemeral, for tests). */
  readonly port?: number
  readonly certFile?: string
  readonly keyFile?: string
  /** Verifies peers' certificates against this CA instead of the system CAs. */
  readonly caFile?: string
  /** Mutual TLS: our listener accepts only clients with a certificate the CA signed (and we present our
   *  certificate, when we have one, on the connections we dial). */
  readonly requireClientCertificate?: boolean
}

export interface ResolvedTlsConfig {
  readonly port: number
  readonly certFile: string | undefined
  readonly keyFile: string | undefined
  readonly caFile: string | undefined
  readonly requireClientCertificate: boolean
}

export interface ResolvedTransportConfig {
  readonly host: string
  readonly port: number
  readonly transports: ReadonlyArray<TransportKind>
  readonly advertisedHost: string
  readonly receiveBufferCapacity: number
  readonly maxMessageSize: number
  readonly tcpIdleTimeoutMs: number
  readonly inboundQueueCapacity: number
  readonly tls: ResolvedTlsConfig
  readonly ws: ResolvedWsConfig
  readonly dns: DnsLookupOptions
}

export const resolveConfig = (config: TransportConfig): ResolvedTransportConfig => {
  const host = config.host ?? "0.0.0.0"
  return {
    host,
    port: config.port,
    transports: config.transports,
    advertisedHost: config.advertisedHost ?? (isWildcard(host) ? firstExternalIpv4() : host),
    receiveBufferCapacity: config.receiveBufferCapacity ?? 4096,
    maxMessageSize: config.maxMessageSize ?? 65535,
    tcpIdleTimeoutMs: config.tcpIdleTimeoutMs ?? 32_000,
    inboundQueueCapacity: config.inboundQueueCapacity ?? 1024,
    tls: {
      port: config.tls?.port ?? (config.port === 0 ? 0 : 5061),
      certFile: config.tls?.certFile,
      keyFile: config.tls?.keyFile,
      caFile: config.tls?.caFile,
      requireClientCertificate: config.tls?.requireClientCertificate ?? false
    },
    dns: config.dns ?? {},
    ws: {
      port: config.ws?.port ?? (config.port === 0 ? 0 : 5066),
      securePort: config.ws?.securePort ?? (config.port === 0 ? 0 : 7443),
      pingIntervalMs: config.ws?.pingIntervalMs ?? 30_000,
      maxConnectionsPerSource: config.ws?.maxConnectionsPerSource ?? 32
    }
  }
}
