/**
 * The location service on an Effect SQL client (SQLite or PostgreSQL): one row per binding. `update`
 * reads, decides and rewrites an AOR's rows in one transaction; on PostgreSQL a transaction-scoped
 * advisory lock on the AOR serialises servers sharing the table, so two REGISTERs never interleave.
 */
import { Effect, Layer } from "effect"
import { SqlClient } from "effect/sql/SqlClient"
import type { SqlError } from "effect/sql/SqlError"
import { LocationError, LocationService } from "../registrar/location.ts"
import { bindingOf, type Row, rowOf } from "./location-rows.ts"

export const failed = (error: SqlError) => new LocationError({ reason: "Query", message: error.message, cause: error })

export const makeLocationSql = Effect.gen(function*() {
  const sql = yield* SqlClient
  const select = (aor: string) =>
    Effect.map(sql<Row>`SELECT * FROM bindings WHERE aor = ${aor}`, (rows) => rows.map(bindingOf))
  const lock = (aor: string) =>
    sql.onDialectOrElse({
      pg: () => Effect.asVoid(sql`SELECT pg_advisory_xact_lock(hashtext(${aor}))`),
      orElse: () => Effect.void
    })
  return LocationService.of({
    lookup: (aor) => select(aor).pipe(Effect.mapError(failed)),
    update: (aor, decide) =>
      sql.withTransaction(Effect.gen(function*() {
        yield* lock(aor)
        const decision = decide(yield* select(aor))
        const next = decision.bindings
        if (next !== undefined) {
          yield* sql`DELETE FROM bindings WHERE aor = ${aor}`
          if (next.length > 0) {
            const [first, ...rest] = next.map(rowOf)
            yield* sql`INSERT INTO bindings ${sql.insert([first!, ...rest])}`
          }
        }
        return decision.result
      })).pipe(Effect.mapError(failed)),
    expire: (now) =>
      sql.withTransaction(Effect.gen(function*() {
        const rows = yield* sql<Row>`SELECT * FROM bindings WHERE expires_at <= ${now}`
        if (rows.length > 0) yield* sql`DELETE FROM bindings WHERE expires_at <= ${now}`
        return rows.map(bindingOf)
      })).pipe(Effect.mapError(failed))
  })
})

/** Needs a SqlClient whose migrations ran (sqlite.ts, postgres.ts). */
export const LocationSql = { layer: Layer.effect(LocationService, makeLocationSql) }
