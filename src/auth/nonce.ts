/**
 * Stateless, verifiable nonces (the shape RFC 7616 §3.3 suggests): `<time>.<salt>.<HMAC(secret, time salt realm)>`.
 * Any server holding the secret can check one without remembering it, and tell a forged nonce from one
 * merely past its lifetime (answered with stale=true: the client retries without asking the user). The
 * salt makes every challenge's nonce unique, so nonce-counts (nonce-counts.ts) start afresh with each.
 */
import { createHmac, timingSafeEqual } from "node:crypto"
import { randomHex } from "../random.ts"

export type NonceState = "valid" | "stale" | "invalid"

const sign = (secret: Uint8Array, head: string, realm: string): string =>
  createHmac("sha256", secret).update(`${head}:${realm}`).digest("base64url").slice(0, 27)

/** A nonce issued at `now` (epoch ms) for `realm`. */
export const makeNonce = (secret: Uint8Array, realm: string, now: number): string => {
  const head = `${now.toString(36)}.${randomHex(6)}`
  return `${head}.${sign(secret, head, realm)}`
}

/** The moment a nonce was issued, as it claims (check it first). */
export const issuedAt = (nonce: string): number => parseInt(nonce.slice(0, nonce.indexOf(".")), 36)

export const checkNonce = (secret: Uint8Array, realm: string, nonce: string, now: number, lifetimeMs: number): NonceState => {
  const last = nonce.lastIndexOf(".")
  if (last <= 0 || nonce.length > 80) return "invalid"
  const expected = Buffer.from(sign(secret, nonce.slice(0, last), realm))
  const given = Buffer.from(nonce.slice(last + 1))
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return "invalid"
  const at = issuedAt(nonce)
  // A nonce "from the future" is not one we issued on this clock.
  if (!Number.isFinite(at) || at > now + 1000) return "invalid"
  return now - at > lifetimeMs ? "stale" : "valid"
}
