/**
 * Everything a server needs to know, with defaults that answer calls on 0.0.0.0:5060/udp with echo.
 */
import type { DigestCredentials } from "../auth/digest-credentials.ts"
import { speakableCodecs } from "../media/g711.ts"
import type { MediaSource } from "../media/media-engine.ts"
import { defaultTimers, type OverloadConfig, type TimerConfig } from "../transaction/config.ts"
import { firstExternalIpv4, isWildcard } from "../net/address.ts"
import type { TlsConfig, WsConfig } from "../transport/config.ts"
import type { DnsLookupOptions } from "../net/dns-lookup.ts"
import type { SrtpPolicy } from "../sdp/crypto.ts"
import type { TransportKind } from "../transport/transport.ts"
import type { ReferHandler } from "../transfer/refer-decision.ts"

export interface ServerConfig {
  /** Address to bind SIP and RTP sockets. */
  readonly host: string
  readonly port: number
  readonly transports: ReadonlyArray<TransportKind>
  /** TLS port and PEM files, when `transports` has "tls" (transport/config.ts). */
  readonly tls?: TlsConfig
  /** WebSocket ports, ping interval and per-source limit, when `transports` has "ws"/"wss". */
  readonly ws?: WsConfig
  /** DNS servers, timeout and cache for host names: UDP sends and RFC 3263 location of calls we place. */
  readonly dns?: DnsLookupOptions
  /** SRTP for incoming calls: optional (default), required, off. */
  readonly srtp?: SrtpPolicy
  /** Address to put in Via/Contact/SDP when `host` is 0.0.0.0 or behind NAT. */
  readonly advertisedHost?: string
  /** Inclusive RTP port range (even ports RTP, odd RTCP). */
  readonly rtpPortMin: number
  readonly rtpPortMax: number
  /** Codec names, preferred first. */
  readonly codecs: ReadonlyArray<string>
  readonly maxCalls: number
  /** Answer beyond maxCalls: 486 Busy Here or 503 with Retry-After. */
  readonly busyStatus: 486 | 503
  readonly timers: TimerConfig
  /** Overload protection: while the event loop stays saturated, part of the new calls are answered 503 with
   *  Retry-After before they cost a call (transaction/overload.ts). */
  readonly overload: OverloadConfig
  readonly defaultMedia: MediaSource
  /** A call with no RTP for this long is ended; 0 disables. */
  readonly mediaTimeoutMs: number
  readonly shutdownTimeoutMs: number
  /** A deferred incoming call not decided within this gets 480, an outgoing one unanswered is CANCELled; 0 disables. */
  readonly ringTimeoutMs: number
  /** Our From for calls placed through this stack; default `<sip:effect-sip@publicHost>`. */
  readonly localUri?: string
  /** Digest credentials (username, password) for 401/407 challenges to calls placed through this stack. */
  readonly credentials?: DigestCredentials
  /** RFC 4028 session timers: the interval we ask for and the smallest we accept (defaults 1800 s, 90 s). */
  readonly sessionExpiresSeconds?: number
  readonly minSessionExpiresSeconds?: number
  /** RFC 3428: a MESSAGE body over this gets 413 (default 8192 bytes). */
  readonly maxMessageBytes?: number
  /** RFC 3262, to a caller that only supports 100rel: every 18x reliably ("all", default) or those with SDP. */
  readonly reliableProvisionals?: "all" | "sdp"
  /** Decides each REFER (RFC 3515) in our calls: accept (call the Refer-To target) or refuse; default:
   *  declined with 603. */
  readonly referHandler?: ReferHandler
  /** RFC 3262 §4: the INVITEs of calls we place say `Require: 100rel` (default: only `Supported`). */
  readonly require100rel?: boolean
}

export const defaultServerConfig: ServerConfig = {
  host: "0.0.0.0",
  port: 5060,
  transports: ["udp"],
  rtpPortMin: 10000,
  rtpPortMax: 20000,
  codecs: speakableCodecs,
  maxCalls: 1000,
  busyStatus: 486,
  timers: defaultTimers,
  overload: { maxUtilization: 0.98, windowMs: 500, retryAfterSeconds: 2 },
  defaultMedia: { _tag: "Echo" },
  mediaTimeoutMs: 60_000,
  shutdownTimeoutMs: 3_000,
  ringTimeoutMs: 120_000
}

/** The address peers should use for us (Contact, Via, SDP): the advertised one, else the bound one, else — for
 *  a wildcard bind — this machine's first external IPv4 address (127.0.0.1 when it has none). */
export const publicHost = (config: ServerConfig): string =>
  config.advertisedHost ?? (isWildcard(config.host) ? firstExternalIpv4() : config.host)
