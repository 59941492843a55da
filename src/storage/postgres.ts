/**
 * The shared location store: PostgreSQL through @effect/sql-pg, migrated on start, so several servers
 * can serve one location table (update takes an advisory lock per AOR). The migrator's platform needs
 * (FileSystem, Path, ChildProcessSpawner: only for schema dumps we never ask for) come from Node here.
 */
import { NodeServices } from "@effect/platform-node"
import { PgClient, PgMigrator } from "@effect/sql-pg"
import { Layer, Redacted } from "effect"
import { failsAsUnavailable } from "./unavailable.ts"
import { LocationSql } from "./location-sql.ts"
import { locationMigrations } from "./migrations.ts"

export const PostgresLocation = {
  /** `url`: postgres://user@host:port/db */
  layer: (url: string) => {
    const client = failsAsUnavailable(PgClient.layer({ url: Redacted.make(url) }), "cannot connect to PostgreSQL")
    const migrated = failsAsUnavailable(
      PgMigrator.layer({ loader: locationMigrations }).pipe(Layer.provide(NodeServices.layer)),
      "cannot migrate the PostgreSQL location table"
    )
    return LocationSql.layer.pipe(Layer.provide(migrated), Layer.provide(client))
  }
}
