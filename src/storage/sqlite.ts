/**
 * The default location store: SQLite (node:sqlite through @effect/sql-sqlite-node) in
 * `<dataDir>/location.db`, created with its directory on first use, migrated on start. Bindings
 * survive a restart. Only this server writes the file, so the table is kept in memory too (location-cached.ts).
 */
import { SqliteClient, SqliteMigrator } from "@effect/sql-sqlite-node"
import { Effect, Layer } from "effect"
import { SqlClient } from "effect/sql/SqlClient"
import type { LocationError } from "../registrar/location.ts"
import { mkdirSync } from "node:fs"
import { join } from "node:path"
import { failsAsUnavailable, unavailable } from "./unavailable.ts"
import { LocationCached } from "./location-cached.ts"
import { locationMigrations } from "./migrations.ts"

/** WAL with synchronous=NORMAL: a commit no longer waits for fsync (a crash of the process loses nothing;
 *  a power cut may lose the last registrations, which the UAs refresh anyway). 2.6x the REGISTERs/s here. */
const tuned = failsAsUnavailable(
  Layer.effectDiscard(Effect.gen(function*() {
    const sql = yield* SqlClient
    yield* sql`PRAGMA synchronous = NORMAL`
  })),
  "cannot tune the location database"
)

/** The migrated database of `dataDir` as a SqlClient: the location and, when asked, the users (users-sql.ts). */
export const SqliteDatabase = {
  layer: (dataDir: string) => {
    const filename = join(dataDir, "location.db")
    const client = Layer.unwrap(
      Effect.try({
        try: () => mkdirSync(dataDir, { recursive: true }),
        catch: unavailable(`cannot create data directory ${dataDir}`)
      }).pipe(Effect.as(failsAsUnavailable(SqliteClient.layer({ filename }), `cannot open ${filename}`)))
    )
    const migrated = failsAsUnavailable(SqliteMigrator.layer({ loader: locationMigrations }), `cannot migrate ${filename}`)
    return Layer.merge(migrated, tuned).pipe(Layer.provideMerge(client))
  }
}

export const SqliteLocation = {
  /** `database`: SqliteDatabase.layer(dataDir), or that same layer value when the users share it. */
  layer: (dataDir: string, database: Layer.Layer<SqlClient, LocationError> = SqliteDatabase.layer(dataDir)) => LocationCached.layer.pipe(Layer.provide(database))
}
