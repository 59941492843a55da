/**
 * Stateless, verifiable nonces (the shape RFC 7616 §3.3 suggests): `<time>.<salt>.<HMAC(secret, time salt realm)>`.
 * Any server holding the secret can check one without remembering it, and tell a forged nonce from one
 * merely past its lifetime (answered with stale=true: the client retries without asking the user). The
 * salt makes every challenge's nonce unique, so nonce-counts (nonce-counts.ts) start afresh with each.
 */
import { hash, timingSafeEqual } from "node:crypto"
import { randomHex } from "../random.ts"

export type NonceState = "valid" | "stale" | "invalid"

/** HMAC-SHA256 (RFC 2104) from two one-shot hashes, its padded keys computed once per secret: a Hmac
 *  object per nonce cost more than the rest of the check (bench:register's profile). */
const pads = new WeakMap<Uint8Array, readonly [Buffer, Buffer]>()
const padsOf = (secret: Uint8Array): readonly [Buffer, Buffer] => {
  let p = pads.get(secret)
  if (p === undefined) {
    const key = secret.length > 64 ? hash("sha256", secret, "buffer") : secret
    const inner = Buffer.alloc(64, 0x36)
    const outer = Buffer.alloc(64, 0x5c)
    for (let i = 0; i < key.length; i++) {
      inner[i] ^= key[i]!
      outer[i] ^= key[i]!
    }
    p = [inner, outer]
    pads.set(secret, p)
  }
  return p
}

const sign = (secret: Uint8Array, head: string, realm: string): string => {
  const [inner, outer] = padsOf(secret)
  const innerHash = hash("sha256", Buffer.concat([inner, Buffer.from(`${head}:${realm}`)]), "buffer")
  return hash("sha256", Buffer.concat([outer, innerHash]), "base64url").slice(0, 27)
}

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
  return nonceAge(nonce, now, lifetimeMs)
}

/** Whether a nonce whose MAC is already checked is still within its lifetime. */
export const nonceAge = (nonce: string, now: number, lifetimeMs: number): NonceState => {
  const at = issuedAt(nonce)
  // A nonce "from the future" is not one we issued on this clock.
  if (!Number.isFinite(at) || at > now + 1000) return "invalid"
  return now - at > lifetimeMs ? "stale" : "valid"
}
