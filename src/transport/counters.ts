/**
 * The mutable counters behind `Transport.stats`. Plain fields, bumped synchronously on the hot path
 * (one JS thread: no Ref needed); `snapshot` copies them into the immutable contract shape.
 */
import type { TransportStats } from "./transport.ts"

export interface Counters {
  received: number
  sent: number
  malformed: number
  /** TCP messages over `maxMessageSize` (their connection was closed); also counted in `malformed`. */
  oversize: number
  /** UDP datagrams whose fire-and-forget send failed after it was handed to the kernel. */
  lost: number
  /** Sources of UDP receive-buffer drops, read lazily (the socket reader keeps its own count). */
  droppedSources: Array<() => number>
  openConnections: () => number
}

export const makeCounters = (): Counters => ({
  received: 0,
  sent: 0,
  malformed: 0,
  oversize: 0,
  lost: 0,
  droppedSources: [],
  openConnections: () => 0
})

export const snapshot = (c: Counters): TransportStats & { readonly oversize: number } => {
  let dropped = 0
  for (const source of c.droppedSources) dropped += source()
  return {
    received: c.received,
    sent: c.sent,
    malformed: c.malformed,
    dropped,
    openConnections: c.openConnections(),
    oversize: c.oversize
  }
}
