/**
 * Call detail records: one per call, written when it ends, kept in the SQL store (SQLite by default,
 * PostgreSQL when asked) and published live as a Stream. The contract only; cdr-sql.ts implements it.
 */
import { Context, type Effect, Schema, type Stream } from "effect"

export interface Cdr {
  readonly sessionId: string
  readonly callId: string
  readonly direction: "inbound" | "outbound"
  /** The caller's and the callee's URIs. */
  readonly caller: string
  readonly callee: string
  /** Epoch ms. */
  readonly startedAt: number
  readonly answeredAt: number | undefined
  readonly endedAt: number
  /** From answer to end, in seconds; 0 for a call never answered. */
  readonly durationSeconds: number
  /** normal_clearing, cancelled, rejected, timed_out, failed, shutdown, session_expired. */
  readonly endReason: string
  /** The final status of a rejected call (ours or the peer's). */
  readonly status: number | undefined
  readonly codec: string | undefined
  readonly mos: number | undefined
  readonly packetsLost: number | undefined
  readonly lossFraction: number | undefined
}

export class CdrError extends Schema.TaggedError<CdrError>()("CdrError", {
  message: Schema.String,
  cause: Schema.optional(Schema.Defect())
}) {}

export class CdrStore extends Context.Service<CdrStore, {
  /** Queue a finished call's record; written in the next batch. Never waits on the database. */
  record(cdr: Cdr): Effect.Effect<void>
  /** Records of calls that ended at or after `sinceMs` (epoch ms), oldest first, at most `limit`. */
  query(sinceMs: number, limit?: number): Effect.Effect<ReadonlyArray<Cdr>, CdrError>
  /** Every record as it is queued, from the moment the stream is run (a consumer that lags loses the oldest). */
  readonly live: Stream.Stream<Cdr>
  /** Records dropped because the write queue was full (the database could not keep up). */
  readonly dropped: Effect.Effect<number>
}>()("effect-sip/cdr/CdrStore") {}
