/**
 * TLS (RFC 3261 §26.2, RFC 5922): the stream listener on `node:tls`. We listen with our certificate, and
 * every connection we dial verifies the server's certificate against the system CAs (or a configured CA)
 * and its name against the host we meant to reach (SNI for a host name, the IP SAN for a literal).
 * A certificate we refuse is a NetworkError "ConnectFailed" whose `refusal` says why.
 */
import * as NodeSocket from "@effect/platform-node/NodeSocket"
import * as NodeSocketServer from "@effect/platform-node/NodeSocketServer"
import * as Fs from "node:fs"
import { isIP } from "node:net"
import { Effect } from "effect"
import { NetworkError } from "../errors.ts"
import type { ResolvedTlsConfig } from "./config.ts"
import { errorCode, plainConnectFailed, rootError, type StreamKind } from "./stream-listener.ts"
import { CONNECT_TIMEOUT_MS } from "./tcp.ts"

type Refusal = NonNullable<NetworkError["refusal"]>

/** OpenSSL's verification codes (and Node's own hostname check) to the reason we report. */
const refusalOf = (code: string | undefined): Refusal | undefined => {
  switch (code) {
    case "CERT_HAS_EXPIRED":
      return "CertificateExpired"
    case "CERT_NOT_YET_VALID":
      return "CertificateNotYetValid"
    case "ERR_TLS_CERT_ALTNAME_INVALID":
      return "HostnameMismatch"
    case "DEPTH_ZERO_SELF_SIGNED_CERT":
    case "SELF_SIGNED_CERT_IN_CHAIN":
    case "UNABLE_TO_VERIFY_LEAF_SIGNATURE":
    case "UNABLE_TO_GET_ISSUER_CERT":
    case "UNABLE_TO_GET_ISSUER_CERT_LOCALLY":
      return "UnknownCA"
    default:
      return code?.startsWith("ERR_SSL") === true ? "HandshakeFailed" : undefined
  }
}

const tlsConnectFailed = (key: string, cause: unknown): NetworkError => {
  const root = rootError(cause)
  const refusal = refusalOf(errorCode(root))
  if (refusal === undefined) return plainConnectFailed(key, cause)
  const detail = root instanceof Error ? root.message : String(root)
  return new NetworkError({
    reason: "ConnectFailed",
    refusal,
    address: key,
    message: `TLS to ${key} refused: ${refusal} (${detail})`,
    cause
  })
}

/** PEM files read once, when the layer is built: a missing file fails the layer, not the first call. */
interface Pems {
  readonly cert: Buffer | undefined
  readonly key: Buffer | undefined
  readonly ca: Buffer | undefined
}

const readPem = (path: string | undefined, what: string) =>
  path === undefined ? Effect.succeed(undefined) : Effect.try({
    try: () => Fs.readFileSync(path),
    catch: (cause) =>
      new NetworkError({ reason: "BindFailed", address: path, message: `cannot read TLS ${what} ${path}`, cause })
  })

export const loadPems = (config: ResolvedTlsConfig): Effect.Effect<Pems, NetworkError> =>
  Effect.all({
    cert: readPem(config.certFile, "certificate"),
    key: readPem(config.keyFile, "key"),
    ca: readPem(config.caFile, "CA")
  })

// tls.connect passes noDelay to its socket (Node sets it at connect), though its option type omits it (tcp.ts).
const NO_DELAY: object = { noDelay: true }

/** The TLS stream kind: a listener when we have a certificate and key, outbound-only otherwise. With
 *  `mutual`, the listener asks every client for a certificate and refuses the handshake without a valid one. */
export const tlsKind = (pems: Pems, mutual: boolean): StreamKind => {
  const { ca, cert, key } = pems
  const clientChecks = mutual ? { requestCert: true, rejectUnauthorized: true, ...(ca !== undefined ? { ca } : {}) } : {}
  return {
    kind: "tls",
    ...(cert !== undefined && key !== undefined
      ? { listen: (host: string, port: number) => NodeSocketServer.makeTls({ host, port, cert, key, noDelay: true, ...clientChecks }) }
      : {}),
    connect: (destination) =>
      NodeSocket.makeTls({
        host: destination.host,
        port: destination.port,
        // SNI carries a host name only (RFC 6066 §3); an IP literal is checked against the IP SANs.
        ...(isIP(destination.host) === 0 ? { servername: destination.host } : {}),
        ...(ca !== undefined ? { ca } : {}),
        // Our certificate for a server that asks for one (mutual TLS).
        ...(cert !== undefined && key !== undefined ? { cert, key } : {}),
        rejectUnauthorized: true,
        ...NO_DELAY,
        openTimeout: CONNECT_TIMEOUT_MS
      }),
    connectFailed: tlsConnectFailed
  }
}
