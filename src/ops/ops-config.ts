/**
 * The operations listener's settings: where the HTTP endpoints (/metrics, /healthz, /readyz) listen and the
 * token that guards them when they listen beyond loopback.
 */
import type { Redacted } from "effect"

export interface OpsConfig {
  /** Default 127.0.0.1: a listener beyond loopback needs `token`. */
  readonly host: string
  /** 0 picks a free port (tests). */
  readonly port: number
  /** `Authorization: Bearer <token>` required on /metrics (the probes stay open: they reveal nothing). */
  readonly token?: Redacted.Redacted<string>
}

export const isLoopback = (host: string): boolean =>
  host === "localhost" || host === "::1" || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host)
