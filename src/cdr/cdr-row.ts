/**
 * A Cdr as a row of the `cdrs` table and back: snake_case columns, NULL for what a call did not have.
 */
import type { Cdr } from "./cdr.ts"

const orNull = <A>(value: A | undefined): A | null => (value === undefined ? null : value)
const orUndefined = (value: unknown): number | undefined => (value === null || value === undefined ? undefined : Number(value))

export const toRow = (cdr: Cdr) => ({
  session_id: cdr.sessionId,
  call_id: cdr.callId === "" ? null : cdr.callId,
  direction: cdr.direction,
  caller: cdr.caller,
  callee: cdr.callee,
  started_at: cdr.startedAt,
  answered_at: orNull(cdr.answeredAt),
  ended_at: cdr.endedAt,
  duration_seconds: cdr.durationSeconds,
  end_reason: cdr.endReason,
  status: orNull(cdr.status),
  codec: orNull(cdr.codec),
  mos: orNull(cdr.mos),
  packets_lost: orNull(cdr.packetsLost),
  loss_fraction: orNull(cdr.lossFraction)
})

export const fromRow = (row: Record<string, unknown>): Cdr => ({
  sessionId: String(row.session_id),
  callId: row.call_id === null ? "" : String(row.call_id),
  direction: row.direction === "outbound" ? "outbound" : "inbound",
  caller: String(row.caller),
  callee: String(row.callee),
  startedAt: Number(row.started_at),
  answeredAt: orUndefined(row.answered_at),
  endedAt: Number(row.ended_at),
  durationSeconds: Number(row.duration_seconds),
  endReason: String(row.end_reason),
  status: orUndefined(row.status),
  codec: row.codec === null ? undefined : String(row.codec),
  mos: orUndefined(row.mos),
  packetsLost: orUndefined(row.packets_lost),
  lossFraction: orUndefined(row.loss_fraction)
})
