/**
 * The schema of the location table and of the users table (users-sql.ts), one Effect per migration (Effect's Migrator records which ran in
 * `effect_sql_migrations`). Plain SQL both SQLite and PostgreSQL read; times are epoch ms (BIGINT).
 */
import { Effect } from "effect"
import { fromRecord } from "effect/sql/Migrator"
import { SqlClient } from "effect/sql/SqlClient"

export const locationMigrations = fromRecord({
  "1_bindings": Effect.gen(function*() {
    const sql = yield* SqlClient
    yield* sql`CREATE TABLE IF NOT EXISTS bindings (
      aor TEXT NOT NULL,
      uri TEXT NOT NULL,
      q TEXT,
      expires_at BIGINT NOT NULL,
      call_id TEXT NOT NULL,
      cseq BIGINT NOT NULL,
      instance TEXT,
      reg_id INTEGER,
      path TEXT NOT NULL,
      PRIMARY KEY (aor, uri)
    )`
    yield* sql`CREATE INDEX IF NOT EXISTS bindings_expires_at ON bindings (expires_at)`
  }),
  // One of password, ha1_md5, ha1_sha256 per user at least (the HA1s for the server's realm).
  "2_users": Effect.gen(function*() {
    const sql = yield* SqlClient
    yield* sql`CREATE TABLE IF NOT EXISTS users (
      username TEXT PRIMARY KEY,
      password TEXT,
      ha1_md5 TEXT,
      ha1_sha256 TEXT
    )`
  })
})
