/**
 * What a REGISTER client needs (RFC 3261 §10.2), with the defaults filled in from the transport's
 * bound endpoints.
 */
import { Duration } from "effect"
import type { DigestCredentials } from "../auth/index.ts"
import { ApplicationError } from "../errors.ts"
import { formatUri, isParseError, parseUri } from "../sip/index.ts"
import type { Endpoint } from "../transport/transport.ts"

export interface RegistrationConfig {
  /** Where REGISTER (and OPTIONS keep-alives) are sent. */
  readonly registrar: Endpoint
  /** The address-of-record, e.g. "sip:alice@example.com": To and From (§10.2). */
  readonly aor: string
  /** Request-URI. Default: the AOR's domain without user part (§10.2: "sip:example.com"). */
  readonly registrarUri?: string
  /** Contact host and port. Default: the TransactionLayer's local endpoint for the registrar's transport. */
  readonly contactHost?: string
  readonly contactPort?: number
  /** Contact user part. Default: the AOR's user. */
  readonly contactUser?: string
  /** Requested binding lifetime in seconds (§10.2.1). Default 3600. */
  readonly expires?: number
  readonly credentials?: DigestCredentials
  readonly userAgent?: string
  /** Send OPTIONS to the registrar this often (out of dialog) and report failures. Default: off. */
  readonly keepAliveInterval?: Duration.Input
  /** Backoff after a failed REGISTER (RFC 5626 §4.5 base-time and max-time), seconds. Defaults 30 and 1800. */
  readonly retryBaseSeconds?: number
  readonly retryMaxSeconds?: number
  /** How long closing the scope may wait for the unregister (Expires: 0). Default 5 s. */
  readonly unregisterTimeout?: Duration.Input
}

export interface ResolvedConfig {
  readonly registrar: Endpoint
  readonly aor: string
  readonly registrarUri: string
  /** Our Contact URI, e.g. "sip:alice@127.0.0.1:5070" (";transport=tcp" for TCP). */
  readonly contactUri: string
  readonly contactHost: string
  readonly contactPort: number
  readonly expires: number
  readonly credentials: DigestCredentials | undefined
  readonly userAgent: string | undefined
  readonly keepAliveInterval: Duration.Duration | undefined
  readonly retryBaseSeconds: number
  readonly retryMaxSeconds: number
  readonly unregisterTimeout: Duration.Duration
}

const invalid = (message: string): ApplicationError => new ApplicationError({ reason: "InvalidArgument", message })

export const resolveConfig = (
  config: RegistrationConfig,
  local: ReadonlyArray<Endpoint>
): ResolvedConfig | ApplicationError => {
  const aor = parseUri(config.aor)
  if (isParseError(aor)) return invalid(`Bad address-of-record ${config.aor}: ${aor.message}`)
  const expires = config.expires ?? 3600
  if (!Number.isInteger(expires) || expires <= 0) return invalid(`Bad expires ${expires}: a positive integer`)
  const near = local.find((e) => e.transport === config.registrar.transport) ?? local[0]
  const contactHost = config.contactHost ?? near?.host
  const contactPort = config.contactPort ?? near?.port
  if (contactHost === undefined || contactPort === undefined) return invalid("No contact address: no local endpoint")
  const user = config.contactUser ?? aor.user
  const params: Record<string, string> = config.registrar.transport === "tcp" ? { transport: "tcp" } : {}
  const contactUri = formatUri({
    scheme: aor.scheme,
    ...(user === undefined ? {} : { user }),
    host: contactHost,
    port: contactPort,
    params,
    headers: {}
  })
  const registrarUri = config.registrarUri ??
    formatUri({ scheme: aor.scheme, host: aor.host, ...(aor.port === undefined ? {} : { port: aor.port }), params: {}, headers: {} })
  return {
    registrar: config.registrar,
    aor: config.aor,
    registrarUri,
    contactUri,
    contactHost,
    contactPort,
    expires,
    credentials: config.credentials,
    userAgent: config.userAgent,
    keepAliveInterval: config.keepAliveInterval === undefined ? undefined : Duration.fromInputUnsafe(config.keepAliveInterval),
    retryBaseSeconds: config.retryBaseSeconds ?? 30,
    retryMaxSeconds: config.retryMaxSeconds ?? 1800,
    unregisterTimeout: Duration.fromInputUnsafe(config.unregisterTimeout ?? "5 seconds")
  }
}
