/**
 * Random values from node:crypto, drawn from one pooled buffer so a SIP branch, tag or RTP SSRC costs no
 * syscall each (a call takes several of each).
 */
import { randomBytes } from "node:crypto"

const POOL_SIZE = 4096
let pool = randomBytes(POOL_SIZE)
let offset = 0

/** Where the next `bytes` random bytes start in `pool` (refilled when too few are left). */
const take = (bytes: number): number => {
  if (offset + bytes > POOL_SIZE) {
    pool = randomBytes(POOL_SIZE)
    offset = 0
  }
  const at = offset
  offset += bytes
  return at
}

export const randomHex = (bytes: number): string => {
  const at = take(bytes)
  return pool.toString("hex", at, at + bytes)
}

export const randomUint32 = (): number => {
  const at = take(4) // before reading `pool`: taking may refill it
  return pool.readUInt32BE(at)
}
