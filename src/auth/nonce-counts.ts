/**
 * Replay protection (RFC 7616 §3.3, RFC 2617 §3.2.2): the highest nonce-count accepted per nonce; a
 * request must bring a higher one, so a captured Authorization cannot be sent again. Bounded: past
 * `capacity` nonces the oldest is forgotten and every nonce issued no later than it is refused from then
 * on (the client gets a fresh nonce), so forgetting never lets a replay through.
 */
import { issuedAt } from "./nonce.ts"

export class NonceCounts {
  private readonly seen = new Map<string, number>()
  /** Nonces issued at or before this (epoch ms) are no longer tracked. */
  private floor = -Infinity

  private readonly capacity: number

  constructor(capacity: number) {
    this.capacity = capacity
  }

  /** Accepts `nc` for a nonce issued at `issued` when it is higher than any before; records it. */
  accept(nonce: string, issued: number, nc: number): boolean {
    const last = this.seen.get(nonce)
    if (last === undefined ? issued <= this.floor : nc <= last) return false
    this.seen.set(nonce, nc)
    if (this.seen.size > this.capacity) this.forgetOldest()
    return true
  }

  /** Whether `nonce` was accepted before: its MAC was checked then (a refresh need not check it again). */
  knows(nonce: string): boolean {
    return this.seen.has(nonce)
  }

  /** Nonces past their lifetime need no count: they are answered stale before this table is asked. */
  prune(issuedBefore: number): void {
    for (const nonce of this.seen.keys()) {
      if (issuedAt(nonce) < issuedBefore) this.seen.delete(nonce)
    }
  }

  get size(): number {
    return this.seen.size
  }

  private forgetOldest(): void {
    const oldest = this.seen.keys().next().value as string
    this.seen.delete(oldest)
    this.floor = Math.max(this.floor, issuedAt(oldest))
  }
}
