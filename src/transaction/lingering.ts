/**
 * What is left of a server transaction once its final response went out and it only waits: an INVITE in
 * Accepted (RFC 6026 Timer L) or a non-INVITE in Completed (§17.2.2 Timer J), 64*T1 each over UDP. It keeps
 * its key, where responses go and what a retransmission is answered with, nothing more; expiries are
 * batched. Why: docs/performance.md, "Lingering transactions".
 */
import { Effect } from "effect"
import { asBuffer } from "../bytes.ts"
import type { NetworkError } from "../errors.ts"
import { getHeader, isParseError, parseMessage, parseNameAddr, serialize } from "../sip/index.ts"
import type { SipResponse } from "../sip/message.ts"
import type { LayerContext, Lingering, LingeringBatch, ServerTx } from "./context.ts"
import { disarmAll } from "../timers/slots.ts"

/**
 * Lingering transactions expire in batches: every one waits the same 64*T1, so those that start lingering
 * within LINGER_BATCH_MS of each other share one timer, set to expire the last of them, and each waits between its
 * full 64*T1 and LINGER_BATCH_MS more (the RFC's "at least"). At 1,000 calls/s that is 50 timers a second instead
 * of 2,000, and no timer entry or deadline per transaction for the old generation to hold and mark.
 */
export const LINGER_BATCH_MS = 20

export const makeLingeringBatch = (): LingeringBatch => ({ entries: undefined, openedAt: 0, ms: 0 })

interface Expiring {
  readonly table: Map<string, Lingering>
  readonly entries: Array<Lingering>
}

const expire = (batch: Expiring): void => {
  for (const entry of batch.entries) if (batch.table.get(entry.id) === entry) batch.table.delete(entry.id)
}

/** The To tag a response carries, if any. */
export const toTagOf = (response: SipResponse | undefined): string | undefined => {
  const to = response === undefined ? undefined : getHeader(response, "to")
  const parsed = to === undefined ? undefined : parseNameAddr(to)
  return parsed === undefined || isParseError(parsed) ? undefined : parsed.tag
}

/** Ends it early (its batch's expiry then finds it gone). */
const forget = (ctx: LayerContext, entry: Lingering): void => {
  if (ctx.lingering.get(entry.id) === entry) ctx.lingering.delete(entry.id)
}

/**
 * `tx` just sent its final response `response` (Accepted or Completed): it leaves the live table and
 * lingers for `ms` (0 on TCP for Timer J: it ends now).
 */
export const linger = (ctx: LayerContext, tx: ServerTx, response: SipResponse, ms: number): Effect.Effect<void> =>
  Effect.suspend(() => {
    if (tx.state !== "accepted" && tx.state !== "completed") return Effect.void // a send error ended it
    const state = tx.state
    tx.state = "terminated"
    disarmAll(tx) // the TU guard, still armed on a non-INVITE
    if (ctx.servers.get(tx.id) === tx) ctx.servers.delete(tx.id)
    if (ms <= 0) return Effect.void
    const invite = state === "accepted"
    const entry: Lingering = {
      id: tx.id,
      invite,
      destination: tx.destination,
      last: invite ? undefined : asLatin1(serialize(response)),
      toTag: invite ? ownCopy(toTagOf(response)) : undefined
    }
    ctx.lingering.set(entry.id, entry)
    const batch = ctx.lingeringBatch
    const now = ctx.now()
    if (batch.entries !== undefined && batch.ms === ms && now - batch.openedAt < LINGER_BATCH_MS) {
      batch.entries.push(entry)
      return Effect.void
    }
    const entries = [entry]
    batch.entries = entries
    batch.openedAt = now
    batch.ms = ms
    return Effect.asVoid(ctx.lanes.scheduleCallback(ms + LINGER_BATCH_MS, expire, { table: ctx.lingering, entries }))
  })

// A tag parsed out of the To header is a slice of the header's string: kept 32 s, it would keep that alive too.
// Concatenating and slicing makes V8 copy it into a string of its own (flat, one character longer) without the
// Buffer round trip that used to cost ~1 % of the server's CPU.
const ownCopy = (text: string | undefined): string | undefined => text === undefined ? undefined : ` ${text}`.slice(1)

// A small serialized message is a slice of one of Node's shared 8 KB Buffer pools: kept for 32 s, it would
// keep the whole pool (and every other message serialized into it) alive. A latin1 string holds just its
// bytes, in one heap object (no ArrayBuffer for the young GC to sweep).
const asLatin1 = (bytes: Uint8Array): string => asBuffer(bytes).toString("latin1")

/** A retransmitted request: a non-INVITE's final goes out again (§17.2.2); errors are dropped. */
export const lingeringRetransmission = (ctx: LayerContext, entry: Lingering): Effect.Effect<void> => {
  if (entry.last === undefined) return Effect.void
  const response = parseMessage(Buffer.from(entry.last, "latin1"))
  if (isParseError(response)) return Effect.void
  ctx.stats.retransmissionsSent++
  return Effect.ignore(ctx.transport.send(response, entry.destination))
}

/** The TU answers again: in Accepted its 2xx retransmissions pass (RFC 6026 §8.5); all else is discarded.
 *  A transport error ends the transaction (§17.2.4). */
export const lingeringRespond = (
  ctx: LayerContext,
  entry: Lingering,
  response: SipResponse
): Effect.Effect<void, NetworkError> => {
  if (!entry.invite || response.status < 200 || response.status >= 300) return Effect.void
  ctx.stats.retransmissionsSent++
  return ctx.transport.send(response, entry.destination).pipe(
    Effect.tapError(() => Effect.sync(() => forget(ctx, entry)))
  )
}
