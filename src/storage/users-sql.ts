/**
 * The users (UserStore) from the `users` table of the server's SQL database (SQLite or PostgreSQL, the one
 * of the location), read on each authentication so a user added or removed counts at once:
 *
 *   INSERT INTO users (username, password) VALUES ('alice', 'secret');
 *   INSERT INTO users (username, ha1_md5) VALUES ('bob', '<md5 of bob:realm:password>');
 *
 * A store that fails answers "unknown user" (the request is challenged again) and logs why.
 */
import { Effect, Layer } from "effect"
import { SqlClient } from "effect/sql/SqlClient"
import { hashHex } from "../auth/digest-response.ts"
import { UserStore } from "../auth/user-store.ts"

interface UserRow {
  readonly password: string | null
  readonly ha1_md5: string | null
  readonly ha1_sha256: string | null
}

export const makeUserStoreSql = Effect.gen(function*() {
  const sql = yield* SqlClient
  return UserStore.of({
    ha1: (username, realm, algorithm) =>
      sql<UserRow>`SELECT password, ha1_md5, ha1_sha256 FROM users WHERE username = ${username}`.pipe(
        Effect.map(([row]) => {
          if (row === undefined) return undefined
          if (row.password !== null) return hashHex(algorithm, `${username}:${realm}:${row.password}`)
          return (algorithm === "MD5" ? row.ha1_md5 : row.ha1_sha256)?.toLowerCase() ?? undefined
        }),
        Effect.catchTag("SqlError", (error) =>
          Effect.as(Effect.logWarning("auth: cannot read the users table", error.message), undefined))
      )
  })
})

/** Needs the migrated SqlClient (SqliteDatabase.layer, PostgresDatabase.layer). */
export const UserStoreSql = { layer: Layer.effect(UserStore, makeUserStoreSql) }
