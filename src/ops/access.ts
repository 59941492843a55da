/**
 * Who may read the operations listener: anyone when no token is set (loopback only: ops-config.ts), else
 * a request with `Authorization: Bearer <token>` or, for the browser console (EventSource sends no
 * headers), `?token=<token>`. Compared in constant time.
 */
import { Redacted } from "effect"
import type { HttpServerRequest } from "effect/http"
import { HttpServerResponse } from "effect/http"
import { timingSafeEqual } from "node:crypto"
import type { OpsConfig } from "./ops-config.ts"

const sameSecret = (given: string, expected: string): boolean => {
  const a = Buffer.from(given)
  const b = Buffer.from(expected)
  return a.length === b.length && timingSafeEqual(a, b)
}

const queryToken = (url: string): string | undefined => {
  const at = url.indexOf("?")
  return at < 0 ? undefined : new URLSearchParams(url.slice(at + 1)).get("token") ?? undefined
}

export const authorized = (config: OpsConfig, request: HttpServerRequest.HttpServerRequest): boolean => {
  if (config.token === undefined) return true
  const expected = Redacted.value(config.token)
  const header = request.headers["authorization"] ?? ""
  if (header.startsWith("Bearer ") && sameSecret(header.slice(7), expected)) return true
  const query = queryToken(request.url)
  return query !== undefined && sameSecret(query, expected)
}

export const unauthorized = HttpServerResponse.text("unauthorized\n", { status: 401, headers: { "www-authenticate": "Bearer" } })
