/**
 * The server's command-line flags (effect/cli) and their translation into a ServerConfig and a
 * CallHandler. Bad values fail with a message that names the flag.
 */
import { Data, Effect } from "effect"
import { Flag } from "effect/cli"
import { defaultServerConfig, type ServerConfig } from "../api/server-config.ts"
import { speakableCodecs } from "../media/g711.ts"
import type { MediaSource } from "../media/media-engine.ts"
import type { CallHandler } from "../session/call-decision.ts"
import { CallDecision } from "../session/call-decision.ts"
import type { SrtpPolicy } from "../sdp/crypto.ts"
import type { TlsConfig } from "../transport/config.ts"
import type { TransportKind } from "../transport/transport.ts"
import { type GcMode, gcModes } from "./gc-mode.ts"

export const serverFlags = {
  host: Flag.String("host").pipe(Flag.withDescription("Address to bind"), Flag.withDefault("0.0.0.0")),
  port: Flag.Int("port").pipe(Flag.withDescription("SIP port (UDP and TCP)"), Flag.withDefault(5060)),
  transport: Flag.String("transport").pipe(
    Flag.withDescription("Transports to listen on, comma-separated: udp, tcp, tls, ws, wss"),
    Flag.withDefault("udp")
  ),
  tlsPort: Flag.Int("tls-port").pipe(Flag.withDescription("TLS port (sips:)"), Flag.withDefault(5061)),
  tlsCert: Flag.String("tls-cert").pipe(Flag.withDescription("PEM certificate for the TLS listener"), Flag.optional),
  tlsKey: Flag.String("tls-key").pipe(Flag.withDescription("PEM private key for the TLS listener"), Flag.optional),
  tlsVerifyClients: Flag.Boolean("tls-verify-clients").pipe(
    Flag.withDescription("Mutual TLS: accept only clients whose certificate --tls-ca (or a system CA) signed"),
    Flag.withDefault(false)
  ),
  wsPort: Flag.Int("ws-port").pipe(Flag.withDescription("WebSocket port (RFC 7118, subprotocol sip)"), Flag.withDefault(5066)),
  wssPort: Flag.Int("wss-port").pipe(Flag.withDescription("Secure WebSocket port (uses --tls-cert/--tls-key)"), Flag.withDefault(7443)),
  tlsCa: Flag.String("tls-ca").pipe(Flag.withDescription("PEM CA to verify TLS peers with (default: the system CAs)"), Flag.optional),
  srtp: Flag.Literals("srtp", ["optional", "required", "off"]).pipe(
    Flag.withDescription("SRTP (SDES) for incoming calls: answered when offered, required (plain RTP gets 488), or off"),
    Flag.withDefault("optional")
  ),
  advertise: Flag.String("advertise").pipe(Flag.withDescription("Address to announce in Contact/SDP"), Flag.optional),
  rtpPorts: Flag.String("rtp-ports").pipe(Flag.withDescription("RTP port range MIN-MAX"), Flag.withDefault("10000-20000")),
  mode: Flag.Literals("mode", ["answer", "reject", "ring-then-answer", "early-media"]).pipe(
    Flag.withDescription("What to do with incoming calls"),
    Flag.withDefault("answer")
  ),
  rejectCode: Flag.Int("reject-code").pipe(Flag.withDescription("Status for --mode reject"), Flag.withDefault(486)),
  answerDelay: Flag.Int("answer-delay").pipe(
    Flag.withDescription("Milliseconds of ringing or early media before the 200"),
    Flag.withDefault(0)
  ),
  media: Flag.String("media").pipe(Flag.withDescription("echo | tone | silence | file:PATH"), Flag.withDefault("echo")),
  codecs: Flag.String("codecs").pipe(Flag.withDescription("Codecs, preferred first"), Flag.withDefault("PCMU,PCMA")),
  maxCalls: Flag.Int("max-calls").pipe(Flag.withDescription("Concurrent calls before 486"), Flag.withDefault(1000)),
  overloadThreshold: Flag.Int("overload-threshold").pipe(
    Flag.withDescription("Event-loop busy percent (two 500 ms windows in a row) from which part of new calls get 503 Retry-After; 0 disables"),
    Flag.withDefault(Math.round(100 * defaultServerConfig.overload.maxUtilization))
  ),
  gc: Flag.Literals("gc", gcModes).pipe(
    Flag.withDescription("GCs: atomic (16 MB semi-spaces, restarting node with them; major GCs in one pause: steadier latency) or incremental (V8's defaults)"),
    Flag.withDefault("atomic")
  )
} as const

type Maybe<A> = { readonly _tag: "Some"; readonly value: A } | { readonly _tag: "None" }

const some = <A>(option: Maybe<A> | undefined): A | undefined => option?._tag === "Some" ? option.value : undefined

const transportKinds: ReadonlyArray<TransportKind> = ["udp", "tcp", "tls", "ws", "wss"]

/** "udp,tls" → ["udp", "tls"]; `flag` names the flag in the error. */
export const parseTransports = (value: string, flag: string): Array<TransportKind> => {
  const kinds = value.split(",").map((k) => k.trim().toLowerCase()).filter((k) => k.length > 0)
  const unknown = kinds.filter((k) => !transportKinds.includes(k as TransportKind))
  if (kinds.length === 0 || unknown.length > 0) {
    throw new FlagError({ message: `${flag}: unknown ${unknown.join(", ") || "(empty)"}; known: ${transportKinds.join(", ")}` })
  }
  return [...new Set(kinds)] as Array<TransportKind>
}

/** --tls-* flags → TlsConfig; a TLS listener needs both a certificate and its key. */
const tlsConfig = (flags: ServerFlags, transports: ReadonlyArray<TransportKind>): TlsConfig | undefined => {
  const certFile = some(flags.tlsCert)
  const keyFile = some(flags.tlsKey)
  const caFile = some(flags.tlsCa)
  const secure = transports.filter((t) => t === "tls" || t === "wss")
  if (secure.length === 0) return undefined
  if (certFile === undefined || keyFile === undefined) {
    throw new FlagError({ message: `--transport ${secure.join(",")}: needs --tls-cert and --tls-key` })
  }
  const port = flags.tlsPort ?? 5061
  if (port < 0 || port > 65535) throw new FlagError({ message: `--tls-port: ${port} is not a port` })
  return {
    port, certFile, keyFile,
    ...(caFile === undefined ? {} : { caFile }),
    ...(flags.tlsVerifyClients === true ? { requireClientCertificate: true } : {})
  }
}

export interface ServerFlags {
  readonly host: string
  readonly port: number
  readonly transport: string
  readonly tlsPort?: number
  readonly tlsCert?: Maybe<string>
  readonly tlsKey?: Maybe<string>
  readonly tlsCa?: Maybe<string>
  readonly tlsVerifyClients?: boolean
  readonly wsPort?: number
  readonly wssPort?: number
  readonly srtp?: SrtpPolicy
  readonly advertise: Maybe<string>
  readonly rtpPorts: string
  readonly mode: "answer" | "reject" | "ring-then-answer" | "early-media"
  readonly rejectCode: number
  readonly answerDelay: number
  readonly media: string
  readonly codecs: string
  readonly maxCalls: number
  readonly overloadThreshold: number
  readonly gc: GcMode
}

/** A flag with a value we cannot use; the message names the flag. */
export class FlagError extends Data.TaggedError("FlagError")<{ readonly message: string }> {}

const knownCodecs: ReadonlyArray<string> = speakableCodecs

export const parseMedia = (value: string): MediaSource => {
  if (value === "echo") return { _tag: "Echo" }
  if (value === "silence") return { _tag: "Silence" }
  if (value === "tone") return { _tag: "Tone", frequency: 440 }
  if (value.startsWith("file:") && value.length > 5) return { _tag: "File", path: value.slice(5), loop: true }
  throw new FlagError({ message: `--media: expected echo, tone, silence or file:PATH, got "${value}"` })
}

const parseRange = (value: string): readonly [number, number] => {
  const match = /^(\d+)-(\d+)$/.exec(value)
  const [min, max] = match ? [Number(match[1]), Number(match[2])] : [NaN, NaN]
  if (!(min >= 1024 && max <= 65535 && max - min >= 1)) {
    throw new FlagError({ message: `--rtp-ports: expected MIN-MAX within 1024-65535, got "${value}"` })
  }
  return [min % 2 === 0 ? min : min + 1, max]
}

/** Flags → config; throws FlagError with a message naming the flag. */
export const toServerConfig = (flags: ServerFlags): Partial<ServerConfig> => {
  const [rtpPortMin, rtpPortMax] = parseRange(flags.rtpPorts)
  const codecs = flags.codecs.split(",").map((c) => c.trim().toUpperCase()).filter((c) => c.length > 0)
  const unknown = codecs.filter((c) => !knownCodecs.includes(c))
  if (codecs.length === 0 || unknown.length > 0) {
    throw new FlagError({ message: `--codecs: unknown ${unknown.join(", ") || "(empty)"}; known: ${knownCodecs.join(", ")}` })
  }
  if (flags.port < 0 || flags.port > 65535) throw new FlagError({ message: `--port: ${flags.port} is not a port` })
  if (flags.rejectCode < 300 || flags.rejectCode > 699) throw new FlagError({ message: `--reject-code: ${flags.rejectCode} is not 300-699` })
  if (flags.maxCalls < 1) throw new FlagError({ message: `--max-calls: must be at least 1` })
  if (!(flags.overloadThreshold >= 0 && flags.overloadThreshold <= 100)) {
    throw new FlagError({ message: `--overload-threshold: expected a percent 0-100 (0: off), got ${flags.overloadThreshold}` })
  }
  const transports = parseTransports(flags.transport, "--transport")
  const tls = tlsConfig(flags, transports)
  return {
    host: flags.host,
    port: flags.port,
    transports,
    ...(tls === undefined ? {} : { tls }),
    ...(transports.includes("ws") || transports.includes("wss")
      ? { ws: { port: flags.wsPort ?? 5066, securePort: flags.wssPort ?? 7443 } }
      : {}),
    ...(flags.srtp === undefined ? {} : { srtp: flags.srtp }),
    ...(flags.advertise._tag === "Some" ? { advertisedHost: flags.advertise.value } : {}),
    rtpPortMin,
    rtpPortMax,
    codecs,
    maxCalls: flags.maxCalls,
    overload: { ...defaultServerConfig.overload, maxUtilization: flags.overloadThreshold / 100 },
    defaultMedia: parseMedia(flags.media)
  }
}

/** The CLI's call handler: the same decision for every call, per --mode. */
export const modeHandler = (flags: ServerFlags): CallHandler => {
  const decision = flags.mode === "reject"
    ? CallDecision.reject(flags.rejectCode)
    : flags.mode === "ring-then-answer"
    ? CallDecision.accept({ mode: "ring", delayMs: flags.answerDelay })
    : flags.mode === "early-media"
    ? CallDecision.accept({ mode: "early-media", delayMs: flags.answerDelay })
    : CallDecision.accept({ mode: "answer" })
  return () => Effect.succeed(decision)
}
