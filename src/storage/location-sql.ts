/**
 * The location service on a shared SQL table (PostgreSQL: several servers may serve it), one row per
 * binding. The updates received together run as one batch: one transaction that takes a transaction-scoped
 * advisory lock on each AOR (sorted, so two servers never deadlock), reads their rows in one SELECT, applies
 * every decision in arrival order in memory, and rewrites the changed AORs in one DELETE and one INSERT. A
 * REGISTER waits for its batch's commit; two servers never interleave on one AOR.
 */
import { Deferred, Effect, Exit, Layer, Queue } from "effect"
import { SqlClient } from "effect/sql/SqlClient"
import type { SqlError } from "effect/sql/SqlError"
import type { Binding } from "../registrar/binding.ts"
import { type Decision, LocationError, LocationService } from "../registrar/location.ts"
import { bindingOf, type Row, rowOf } from "./location-rows.ts"

export const failed = (error: SqlError) => new LocationError({ reason: "Query", message: error.message, cause: error })

interface Pending {
  readonly aor: string
  readonly decide: (current: ReadonlyArray<Binding>) => Decision<unknown>
  readonly done: Deferred.Deferred<unknown, LocationError>
}

export const makeLocationSql = Effect.gen(function*() {
  const sql = yield* SqlClient
  const select = (aor: string) =>
    Effect.map(sql<Row>`SELECT * FROM bindings WHERE aor = ${aor}`, (rows) => rows.map(bindingOf))
  const lock = (aors: ReadonlyArray<string>) =>
    sql.onDialectOrElse({
      pg: () => {
        const params = aors.map((_, i) => `$${i + 1}`).join(", ")
        return Effect.asVoid(sql.unsafe(`SELECT pg_advisory_xact_lock(hashtext(a)) FROM unnest(ARRAY[${params}]::text[]) AS a`, aors))
      },
      orElse: () => Effect.void
    })

  /** The batch in one transaction; the results of its decisions, in order. */
  const runBatch = (batch: ReadonlyArray<Pending>) =>
    sql.withTransaction(Effect.gen(function*() {
      const aors = [...new Set(batch.map((p) => p.aor))].sort()
      yield* lock(aors)
      const table = new Map<string, ReadonlyArray<Binding>>(aors.map((aor) => [aor, []]))
      for (const row of yield* sql<Row>`SELECT * FROM bindings WHERE ${sql.in("aor", aors)}`) {
        const binding = bindingOf(row)
        table.set(binding.aor, [...table.get(binding.aor)!, binding])
      }
      const changed = new Set<string>()
      const results = batch.map((p) => {
        const decision = p.decide(table.get(p.aor)!)
        if (decision.bindings !== undefined) {
          table.set(p.aor, decision.bindings)
          changed.add(p.aor)
        }
        return decision.result
      })
      if (changed.size > 0) {
        yield* sql`DELETE FROM bindings WHERE ${sql.in("aor", [...changed])}`
        const rows = [...changed].flatMap((aor) => table.get(aor)!.map(rowOf))
        if (rows.length > 0) yield* sql`INSERT INTO bindings ${sql.insert([rows[0]!, ...rows.slice(1)])}`
      }
      return results
    })).pipe(Effect.mapError(failed))

  const pending = yield* Queue.unbounded<Pending>()
  yield* Effect.forkScoped(Effect.forever(Effect.gen(function*() {
    const first = yield* Queue.take(pending)
    // Let the updates already received join this batch.
    yield* Effect.yieldNow
    const batch = [first, ...yield* Queue.clear(pending)]
    const exit = yield* Effect.exit(runBatch(batch))
    batch.forEach((p, i) => Deferred.doneUnsafe(p.done, Exit.isSuccess(exit) ? Exit.succeed(exit.value[i]) : exit))
  })))

  return LocationService.of({
    lookup: (aor) => select(aor).pipe(Effect.mapError(failed)),
    update: <A>(aor: string, decide: (current: ReadonlyArray<Binding>) => Decision<A>) =>
      Effect.suspend(() => {
        const done = Deferred.makeUnsafe<A, LocationError>()
        Queue.offerUnsafe(pending, { aor, decide, done: done as Deferred.Deferred<unknown, LocationError> })
        return Deferred.await(done)
      }),
    expire: (now) =>
      sql.withTransaction(Effect.gen(function*() {
        const rows = yield* sql<Row>`SELECT * FROM bindings WHERE expires_at <= ${now}`
        if (rows.length > 0) yield* sql`DELETE FROM bindings WHERE expires_at <= ${now}`
        return rows.map(bindingOf)
      })).pipe(Effect.mapError(failed))
  })
})

/** Needs a SqlClient whose migrations ran (postgres.ts). */
export const LocationSql = { layer: Layer.effect(LocationService, makeLocationSql) }
