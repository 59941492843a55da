/**
 * The operations flags: `--http-port N [--http-host H] [--http-token T]` (the /metrics, /healthz, /readyz
 * listener; the token may come from EFFECT_SIP_HTTP_TOKEN instead, kept out of `ps`) and `--drain-seconds S`
 * (on SIGINT/SIGTERM: refuse new calls and let active ones run up to S seconds before the BYEs).
 */
import { Config, Layer, Option, type Redacted } from "effect"
import { Flag } from "effect/cli"
import { CdrRecorder } from "../cdr/cdr-recorder.ts"
import { CdrSql } from "../cdr/cdr-sql.ts"
import { ConsoleState } from "../console/console-state.ts"
import { CallTracing } from "../ops/call-tracer.ts"
import { drainOnShutdown } from "../ops/drain.ts"
import { OpsHttp } from "../ops/http-listener.ts"
import { isLoopback, type OpsConfig } from "../ops/ops-config.ts"
import { Readiness } from "../ops/readiness.ts"
import { FlagError } from "./server-flags.ts"

export const opsFlags = {
  httpPort: Flag.Int("http-port").pipe(
    Flag.withDescription("Serve GET /metrics (Prometheus), /healthz and /readyz on this port (off when absent)"),
    Flag.optional
  ),
  httpHost: Flag.String("http-host").pipe(
    Flag.withDescription("Address of the --http-port listener; beyond loopback it needs --http-token"),
    Flag.withDefault("127.0.0.1")
  ),
  httpToken: Flag.Redacted("http-token").pipe(
    Flag.withDescription("Bearer token /metrics requires (or the EFFECT_SIP_HTTP_TOKEN environment variable)"),
    Flag.withFallbackConfig(Config.Redacted("EFFECT_SIP_HTTP_TOKEN")),
    Flag.optional
  ),
  httpConsole: Flag.Literals("http-console", ["on", "off"]).pipe(
    Flag.withDescription("The live call console at / of the --http-port listener (keeps the last 500 calls' SIP messages)"),
    Flag.withDefault("on")
  ),
  otlpEndpoint: Flag.String("otlp-endpoint").pipe(
    Flag.withDescription("OTLP/HTTP collector base URL (e.g. http://127.0.0.1:4318): a trace per call, spans to /v1/traces"),
    Flag.optional
  ),
  cdr: Flag.Boolean("cdr").pipe(
    Flag.withDescription("Write a call detail record per call to <data-dir>/cdr.db (SQLite); see `cdr --since`"),
    Flag.withDefault(false)
  ),
  cdrDatabase: Flag.String("cdr-database").pipe(
    Flag.withDescription("postgres://… : write the call records to PostgreSQL instead (implies --cdr)"),
    Flag.optional
  ),
  drainSeconds: Flag.Int("drain-seconds").pipe(
    Flag.withDescription("On SIGINT/SIGTERM: refuse new calls (503), let active calls run up to this long, then BYE the rest"),
    Flag.withDefault(0)
  )
} as const

export interface OpsFlags {
  readonly httpPort: Option.Option<number>
  readonly httpHost: string
  readonly httpToken: Option.Option<Redacted.Redacted<string>>
  readonly drainSeconds: number
  readonly httpConsole: "on" | "off"
  readonly otlpEndpoint: Option.Option<string>
  readonly cdr: boolean
  readonly cdrDatabase: Option.Option<string>
}

/** The listener's config, or undefined when --http-port is absent; a FlagError for what we cannot use. */
export const toOpsConfig = (flags: OpsFlags): OpsConfig | undefined => {
  if (flags.drainSeconds < 0) throw new FlagError({ message: "--drain-seconds must be 0 or more" })
  if (Option.isNone(flags.httpPort)) return undefined
  const port = flags.httpPort.value
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new FlagError({ message: `--http-port ${port}: not a port` })
  if (!isLoopback(flags.httpHost) && Option.isNone(flags.httpToken)) {
    throw new FlagError({ message: `--http-host ${flags.httpHost} is beyond loopback: set --http-token (or EFFECT_SIP_HTTP_TOKEN)` })
  }
  return { host: flags.httpHost, port, ...(Option.isSome(flags.httpToken) ? { token: flags.httpToken.value } : {}) }
}

/** The call-record store the flags ask for, or undefined; a FlagError for a URL we cannot use. */
export const cdrStoreLayer = (flags: OpsFlags, dataDir: string) => {
  if (Option.isSome(flags.cdrDatabase)) {
    const url = flags.cdrDatabase.value
    if (!/^postgres(ql)?:\/\//.test(url)) throw new FlagError({ message: `--cdr-database: expected postgres://…, got "${url}"` })
    return CdrSql.postgres(url)
  }
  return flags.cdr ? CdrSql.sqlite(dataDir) : undefined
}

/** What the server runs above its stack: readiness, call records and, when asked, the listener; the
 *  drain on top, so its finalizer runs first and every layer below sees the calls end. */
export const opsLayer = (flags: OpsFlags, config: OpsConfig | undefined, dataDir: string) => {
  const cdrs = cdrStoreLayer(flags, dataDir)
  const recorder = cdrs === undefined ? Layer.empty : CdrRecorder.layer.pipe(Layer.provide(cdrs))
  const tracing = Option.match(flags.otlpEndpoint, {
    onNone: () => Layer.empty,
    onSome: (endpoint) => {
      if (!/^https?:\/\/[^/]+/.test(endpoint)) throw new FlagError({ message: `--otlp-endpoint: expected http(s)://host:port, got "${endpoint}"` })
      return CallTracing.layer({ endpoint, serviceName: "effect-sip" })
    }
  })
  const drain = drainOnShutdown(flags.drainSeconds).pipe(Layer.provide(Layer.merge(recorder, tracing)))
  // Built above the listener, the drain's finalizer runs first: /readyz says "draining" while calls finish.
  const http = config === undefined ? undefined : OpsHttp.layer(config).pipe(
    Layer.provide(flags.httpConsole === "on" ? ConsoleState.layer : Layer.empty)
  )
  const above = http === undefined ? drain : drain.pipe(Layer.provideMerge(http))
  return above.pipe(Layer.provide(Readiness.layer))
}
