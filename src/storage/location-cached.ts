/**
 * The location service for a store only this server writes (SQLite in its data directory): the whole table
 * is read into memory at start, every decision is taken in memory (synchronously, so nothing runs between
 * the read and the write), and the writes of all REGISTERs that arrive together are grouped into one
 * transaction. A REGISTER is answered only once its batch is committed, so a 200 still means stored; what we
 * save is a transaction and a SELECT per REGISTER (bench:register: the SQL per REGISTER was half its CPU).
 * A batch's writes reach the committed copy only after its commit: a failed batch leaves no trace.
 */
import { Deferred, Effect, Exit, Layer, Queue } from "effect"
import { SqlClient } from "effect/sql/SqlClient"
import type { Binding } from "../registrar/binding.ts"
import { LocationError, LocationService } from "../registrar/location.ts"
import { failed } from "./location-sql.ts"
import { bindingOf, type Row, rowOf } from "./location-rows.ts"

/** AORs per DELETE, rows per INSERT: 500 × 9 columns stays far under SQLite's 32,766 parameters. */
const CHUNK = 500

interface Batch {
  /** The AOR's bindings to store (empty: delete them); the latest decision wins. */
  readonly writes: Map<string, ReadonlyArray<Binding>>
  readonly done: Deferred.Deferred<void, LocationError>
}

export const makeLocationCached = Effect.gen(function*() {
  const sql = yield* SqlClient
  /** The table as committed: what lookups see. */
  const committed = new Map<string, ReadonlyArray<Binding>>()
  const rows = yield* sql<Row>`SELECT * FROM bindings`.pipe(Effect.mapError(failed))
  for (const row of rows) {
    const binding = bindingOf(row)
    committed.set(binding.aor, [...(committed.get(binding.aor) ?? []), binding])
  }

  const batches = yield* Queue.unbounded<Batch>()
  /** The batch taking decisions; the one committing (at most one of each). */
  let open: Batch | undefined
  let committing: Batch | undefined
  /** What a decision starts from: the open batch's own writes over the committed table. */
  const current = (aor: string) => open?.writes.get(aor) ?? committed.get(aor) ?? []

  /** Records the AOR's new bindings in the open batch; the batch's commit to wait for. */
  const write = (aor: string, bindings: ReadonlyArray<Binding>): Deferred.Deferred<void, LocationError> => {
    if (open === undefined) {
      open = { writes: new Map(), done: Deferred.makeUnsafe() }
      Queue.offerUnsafe(batches, open)
    }
    open.writes.set(aor, bindings)
    return open.done
  }

  // One DELETE and one INSERT per CHUNK AORs or rows, not one each per AOR (a statement each was a third of
  // the commit's CPU); chunked under SQLite's limit on bound parameters.
  const commit = (writes: Map<string, ReadonlyArray<Binding>>) =>
    sql.withTransaction(Effect.gen(function*() {
      const aors = [...writes.keys()]
      for (let i = 0; i < aors.length; i += CHUNK) yield* sql`DELETE FROM bindings WHERE ${sql.in("aor", aors.slice(i, i + CHUNK))}`
      const rows = [...writes.values()].flatMap((bindings) => bindings.map(rowOf))
      for (let i = 0; i < rows.length; i += CHUNK) {
        const [first, ...rest] = rows.slice(i, i + CHUNK)
        yield* sql`INSERT INTO bindings ${sql.insert([first!, ...rest])}`
      }
    })).pipe(Effect.mapError(failed))

  // One writer: batches commit in the order they were opened, so a later decision on an AOR lands last.
  yield* Effect.forkScoped(Effect.forever(Effect.gen(function*() {
    const batch = yield* Queue.take(batches)
    // Let the REGISTERs already received join this batch before it closes.
    yield* Effect.yieldNow
    if (open === batch) open = undefined
    committing = batch
    const exit = yield* Effect.exit(commit(batch.writes))
    if (Exit.isSuccess(exit)) {
      for (const [aor, bindings] of batch.writes) {
        if (bindings.length === 0) committed.delete(aor)
        else committed.set(aor, bindings)
      }
    }
    committing = undefined
    yield* Deferred.done(batch.done, Exit.isSuccess(exit) ? Exit.void : exit)
  })))

  const update = <A>(aor: string, decide: (current: ReadonlyArray<Binding>) => { bindings: ReadonlyArray<Binding> | undefined; result: A }): Effect.Effect<A, LocationError> =>
    Effect.suspend(() => {
      // A decision on an AOR whose last write is still committing waits for that outcome, not a guess at it.
      const pending = committing
      if (pending?.writes.has(aor)) return Effect.andThen(Effect.exit(Deferred.await(pending.done)), update(aor, decide))
      const decision = decide(current(aor))
      if (decision.bindings === undefined) return Effect.succeed(decision.result)
      return Effect.as(Deferred.await(write(aor, decision.bindings)), decision.result)
    })

  return LocationService.of({
    lookup: (aor) => Effect.sync(() => committed.get(aor) ?? []),
    update,
    expire: (now) =>
      Effect.suspend(() => {
        const gone: Array<Binding> = []
        let done: Deferred.Deferred<void, LocationError> | undefined
        const aors = new Set([...committed.keys(), ...(open?.writes.keys() ?? [])])
        for (const aor of aors) {
          // Still committing: the next sweep sees its outcome.
          if (committing?.writes.has(aor)) continue
          const bindings = current(aor)
          if (bindings.every((b) => b.expiresAt > now)) continue
          for (const b of bindings) if (b.expiresAt <= now) gone.push(b)
          done = write(aor, bindings.filter((b) => b.expiresAt > now))
        }
        return done === undefined ? Effect.succeed(gone) : Effect.as(Deferred.await(done), gone)
      })
  })
})

/** Needs a SqlClient whose migrations ran, and no other writer of its table. */
export const LocationCached = { layer: Layer.effect(LocationService, makeLocationCached) }
