/**
 * Users in the SQLite database of the location (src/storage/users-sql.ts): a REGISTER challenged and
 * accepted for a user of the `users` table (password or HA1), one database for both, users added while the
 * server runs counting at once, unknown users refused.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Layer } from "effect"
import { SqlClient } from "effect/sql/SqlClient"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { computeCredentials, formatCredentials, parseChallenge } from "../../src/auth/index.ts"
import { ChallengerLive } from "../../src/auth/challenger-live.ts"
import { hashHex } from "../../src/auth/digest-response.ts"
import { UserStore } from "../../src/auth/user-store.ts"
import { isParseError, getHeaders } from "../../src/sip/index.ts"
import type { SipRequest, SipResponse } from "../../src/sip/message.ts"
import { SqliteDatabase, SqliteLocation } from "../../src/storage/sqlite.ts"
import { UserStoreSql } from "../../src/storage/users-sql.ts"
import { register, registrarSetup } from "../registrar/support.ts"

const tempDir = Effect.acquireRelease(
  Effect.sync(() => mkdtempSync(join(tmpdir(), "effect-sip-users-"))),
  (dir) => Effect.sync(() => rmSync(dir, { recursive: true, force: true }))
)

const answer = (request: SipRequest, response: SipResponse, user: string, password: string) => {
  const challenge = parseChallenge(getHeaders(response, "www-authenticate")[0]!)
  if (isParseError(challenge)) throw new Error(challenge.message)
  const fields = computeCredentials(challenge, { username: user, password }, { method: request.method, uri: request.uri, count: 1 })
  const cseq = request.headers.find((h) => h.key === "cseq")!.value.replace(/^\d+/, (n) => String(Number(n) + 1))
  return {
    ...request,
    headers: [
      ...request.headers.map((h) => (h.key === "cseq" ? { ...h, value: cseq } : h)),
      { name: "Authorization", key: "authorization", value: formatCredentials(fields) }
    ]
  }
}

/** A registrar whose location and users are one SQLite database; its SqlClient to add users with. */
const setup = Effect.gen(function*() {
  const dir = yield* tempDir
  const database = Layer.succeedContext(yield* Layer.build(SqliteDatabase.layer(dir)))
  const sql = yield* Effect.provide(Effect.gen(function*() { return yield* SqlClient }), database)
  const challenger = ChallengerLive.layer({ realm: "example.com", algorithms: ["MD5"] }).pipe(
    Layer.provide(UserStoreSql.layer.pipe(Layer.provide(database)))
  )
  const { send, registrar } = yield* registrarSetup({}, SqliteLocation.layer(dir, database), { challenger })
  return { send, registrar, sql, database }
})

const authorized = (send: (r: SipRequest) => Effect.Effect<SipResponse>, request: SipRequest, user: string, password: string) =>
  Effect.flatMap(send(request), (challenged) => send(answer(request, challenged, user, password)))

describe("users in the SQL database", () => {
  it.effect("a user of the users table registers, by password or by HA1; a wrong one and an unknown one do not", () =>
    Effect.gen(function*() {
      const { send, registrar, sql } = yield* setup
      yield* sql`INSERT INTO users (username, password) VALUES ('bob', 'secret')`
      yield* sql`INSERT INTO users (username, ha1_md5) VALUES ('carol', ${hashHex("MD5", "carol:example.com:hunter2")})`
      const bob = register({ contacts: ["<sip:bob@10.0.0.9>"], cseq: 1 })
      assert.strictEqual((yield* authorized(send, bob, "bob", "secret")).status, 200)
      assert.deepStrictEqual((yield* registrar.lookup("sip:bob@example.com")).map((b) => b.uri), ["sip:bob@10.0.0.9"])
      const carol = register({ contacts: ["<sip:carol@10.0.0.7>"], cseq: 1, aor: "sip:carol@example.com" })
      assert.strictEqual((yield* authorized(send, carol, "carol", "hunter2")).status, 200)
      const wrong = register({ contacts: ["<sip:bob@10.0.0.8>"], cseq: 1, callId: "wrong" })
      assert.strictEqual((yield* authorized(send, wrong, "bob", "nope")).status, 401)
      const dave = register({ contacts: ["<sip:dave@10.0.0.6>"], cseq: 1, aor: "sip:dave@example.com" })
      assert.strictEqual((yield* authorized(send, dave, "dave", "pw")).status, 401)
      // Added while the server runs: counts at once.
      yield* sql`INSERT INTO users (username, password) VALUES ('dave', 'pw')`
      const again = register({ contacts: ["<sip:dave@10.0.0.6>"], cseq: 1, aor: "sip:dave@example.com", callId: "again" })
      assert.strictEqual((yield* authorized(send, again, "dave", "pw")).status, 200)
    }))

  it.effect("the store gives H(A1) for the realm asked, in MD5 and SHA-256, from a password", () =>
    Effect.gen(function*() {
      const { sql, database } = yield* setup
      yield* sql`INSERT INTO users (username, password, ha1_sha256) VALUES ('erin', 'pw', NULL)`
      const users = yield* Effect.provide(Effect.gen(function*() { return yield* UserStore }), UserStoreSql.layer.pipe(Layer.provide(database)))
      assert.strictEqual(yield* users.ha1("erin", "r", "MD5"), hashHex("MD5", "erin:r:pw"))
      assert.strictEqual(yield* users.ha1("erin", "r", "SHA-256"), hashHex("SHA-256", "erin:r:pw"))
      assert.isUndefined(yield* users.ha1("nobody", "r", "MD5"))
    }))
})
