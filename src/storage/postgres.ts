/**
 * The shared location store: PostgreSQL through @effect/sql-pg, migrated on start, so several servers
 * can serve one location table (update takes an advisory lock per AOR). The migrator's platform needs
 * (FileSystem, Path, ChildProcessSpawner: only for schema dumps we never ask for) come from Node here.
 */
import { NodeServices } from "@effect/platform-node"
import { PgClient, PgMigrator } from "@effect/sql-pg"
import { Layer, Redacted } from "effect"
import type { SqlClient } from "effect/sql/SqlClient"
import type { LocationError } from "../registrar/location.ts"
import { failsAsUnavailable } from "./unavailable.ts"
import { LocationSql } from "./location-sql.ts"
import { locationMigrations } from "./migrations.ts"

/** The migrated shared database as a SqlClient; `url`: postgres://user@host:port/db */
export const PostgresDatabase = {
  layer: (url: string) => {
    const client = failsAsUnavailable(PgClient.layer({ url: Redacted.make(url) }), "cannot connect to PostgreSQL")
    const migrated = failsAsUnavailable(
      PgMigrator.layer({ loader: locationMigrations }).pipe(Layer.provide(NodeServices.layer)),
      "cannot migrate the PostgreSQL location table"
    )
    return migrated.pipe(Layer.provideMerge(client))
  }
}

export const PostgresLocation = {
  /** `database`: PostgresDatabase.layer(url), or that same layer value when the users share it. */
  layer: (url: string, database: Layer.Layer<SqlClient, LocationError> = PostgresDatabase.layer(url)) => LocationSql.layer.pipe(Layer.provide(database))
}
