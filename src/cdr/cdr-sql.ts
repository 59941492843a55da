/**
 * The CdrStore on effect/sql: records queue up (bounded; a full queue drops and counts, the call path never
 * waits on the database) and one fiber writes them in batches, one transaction each. SQLite in
 * `<dataDir>/cdr.db` by default, or PostgreSQL; migrated on start with a migrations table of its own.
 */
import { NodeServices } from "@effect/platform-node"
import { PgClient, PgMigrator } from "@effect/sql-pg"
import { SqliteClient, SqliteMigrator } from "@effect/sql-sqlite-node"
import { Effect, Layer, PubSub, Queue, Redacted, Stream } from "effect"
import { fromRecord } from "effect/sql/Migrator"
import { SqlClient } from "effect/sql/SqlClient"
import { mkdirSync } from "node:fs"
import { join } from "node:path"
import { type Cdr, CdrError, CdrStore } from "./cdr.ts"
import { fromRow, toRow } from "./cdr-row.ts"

const QUEUE_CAPACITY = 10_000
const BATCH = 500
const MIGRATIONS_TABLE = "effect_sip_cdr_migrations"

const migrations = fromRecord({
  "1_cdrs": Effect.gen(function*() {
    const sql = yield* SqlClient
    yield* sql`CREATE TABLE IF NOT EXISTS cdrs (
      session_id TEXT NOT NULL,
      call_id TEXT,
      direction TEXT NOT NULL,
      caller TEXT NOT NULL,
      callee TEXT NOT NULL,
      started_at BIGINT NOT NULL,
      answered_at BIGINT,
      ended_at BIGINT NOT NULL,
      duration_seconds DOUBLE PRECISION NOT NULL,
      end_reason TEXT NOT NULL,
      status INTEGER,
      codec TEXT,
      mos DOUBLE PRECISION,
      packets_lost INTEGER,
      loss_fraction DOUBLE PRECISION
    )`
    yield* sql`CREATE INDEX IF NOT EXISTS cdrs_ended_at ON cdrs (ended_at)`
  })
})

const queryError = (message: string) => (cause: unknown) => new CdrError({ message, cause })

const make = Effect.gen(function*() {
  const sql = yield* SqlClient
  const queue = yield* Effect.acquireRelease(Queue.bounded<Cdr>(QUEUE_CAPACITY), Queue.shutdown)
  const live = yield* Effect.acquireRelease(PubSub.sliding<Cdr>(1024), PubSub.shutdown)
  let dropped = 0
  const write = (batch: ReadonlyArray<Cdr>) => {
    const rows = batch.map(toRow)
    return sql`INSERT INTO cdrs ${sql.insert([rows[0], ...rows.slice(1)])}`.pipe(
      Effect.catch((error) => Effect.logWarning(`CDR batch of ${batch.length} not written: ${error.message}`))
    )
  }
  // The writer stops with the scope; what is still queued is written first.
  yield* Effect.forever(Effect.flatMap(Queue.takeBetween(queue, 1, BATCH), (batch) => Effect.uninterruptible(write(batch)))).pipe(
    Effect.onInterrupt(() => Effect.flatMap(Queue.clear(queue), (rest) => rest.length > 0 ? write(rest) : Effect.void)),
    Effect.forkScoped
  )
  return CdrStore.of({
    record: (cdr) => Effect.sync(() => {
      if (!Queue.offerUnsafe(queue, cdr)) dropped++
      PubSub.publishUnsafe(live, cdr)
    }),
    query: (sinceMs, limit = 10_000) =>
      sql`SELECT * FROM cdrs WHERE ended_at >= ${sinceMs} ORDER BY ended_at LIMIT ${limit}`.pipe(
        Effect.map((rows) => rows.map(fromRow)),
        Effect.mapError(queryError("cannot read the call records"))
      ),
    live: Stream.fromPubSub(live),
    dropped: Effect.sync(() => dropped)
  })
})

const opened = <E>(layer: Layer.Layer<SqlClient, E>, where: string): Layer.Layer<CdrStore, CdrError> =>
  Layer.effectContext(Effect.mapError(
    Layer.build(Layer.effect(CdrStore, make).pipe(Layer.provide(layer))),
    (cause) => new CdrError({ message: `cannot open the call records in ${where}: ${String((cause as { message?: unknown })?.message ?? cause)}`, cause })
  ))

export const CdrSql = {
  /** SQLite in `<dataDir>/cdr.db` (the directory is created). */
  sqlite: (dataDir: string) => {
    const filename = join(dataDir, "cdr.db")
    const client = Layer.unwrap(Effect.sync(() => {
      mkdirSync(dataDir, { recursive: true })
      return SqliteClient.layer({ filename })
    }))
    const migrated = SqliteMigrator.layer({ loader: migrations, table: MIGRATIONS_TABLE })
    return opened(migrated.pipe(Layer.provideMerge(client)), filename)
  },
  /** PostgreSQL at `url` (postgres://user@host:port/db). */
  postgres: (url: string) => {
    const client = PgClient.layer({ url: Redacted.make(url) })
    const migrated = PgMigrator.layer({ loader: migrations, table: MIGRATIONS_TABLE }).pipe(Layer.provide(NodeServices.layer))
    return opened(migrated.pipe(Layer.provideMerge(client)), "PostgreSQL")
  }
}
