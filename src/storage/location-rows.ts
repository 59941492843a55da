/**
 * A binding as a row of the `bindings` table (migrations.ts) and back: shared by the SQL location stores.
 */
import type { Binding } from "../registrar/binding.ts"

export interface Row {
  readonly aor: string
  readonly uri: string
  readonly q: string | null
  readonly expires_at: number | string | bigint
  readonly call_id: string
  readonly cseq: number | string | bigint
  readonly instance: string | null
  readonly reg_id: number | null
  readonly path: string
}

// PostgreSQL hands BIGINT back as text.
export const bindingOf = (row: Row): Binding => ({
  aor: row.aor,
  uri: row.uri,
  q: row.q ?? undefined,
  expiresAt: Number(row.expires_at),
  callId: row.call_id,
  cseq: Number(row.cseq),
  instance: row.instance ?? undefined,
  regId: row.reg_id ?? undefined,
  path: JSON.parse(row.path) as ReadonlyArray<string>
})

export const rowOf = (b: Binding) => ({
  aor: b.aor,
  uri: b.uri,
  q: b.q ?? null,
  expires_at: b.expiresAt,
  call_id: b.callId,
  cseq: b.cseq,
  instance: b.instance ?? null,
  reg_id: b.regId ?? null,
  path: JSON.stringify(b.path)
})
