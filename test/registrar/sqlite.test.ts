/**
 * The SQLite location service (src/storage/sqlite.ts) behind a real registrar: a data directory created on
 * first use, migrations, bindings surviving a restart, expiry from the table, several bindings per AOR, and
 * a commit that fails (a trigger refuses one Contact) leaving no trace in memory or on disk.
 */
import { assert, describe, it } from "@effect/vitest"
import { Context, Effect, Fiber, Layer, Stream } from "effect"
import { SqlClient } from "effect/sql/SqlClient"
import { TestClock } from "effect/testing"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { LocationCached } from "../../src/storage/location-cached.ts"
import { SqliteDatabase, SqliteLocation } from "../../src/storage/sqlite.ts"
import { contactsOf, register, registrarSetup } from "./support.ts"

const tempDir = Effect.acquireRelease(
  Effect.sync(() => mkdtempSync(join(tmpdir(), "effect-sip-location-"))),
  (dir) => Effect.sync(() => rmSync(dir, { recursive: true, force: true }))
)

/** A registrar on the SQLite database of `dir`, whose commits fail while a row for `refused` is inserted. */
const refusingSetup = (dir: string, refused: string) =>
  Effect.gen(function*() {
    const database = yield* Layer.build(SqliteDatabase.layer(dir))
    const sql = Context.get(database, SqlClient)
    yield* sql.unsafe(`CREATE TRIGGER refuse BEFORE INSERT ON bindings WHEN NEW.uri = '${refused}' BEGIN SELECT RAISE(ABORT, 'refused'); END`)
    const stored = Effect.map(sql<{ uri: string }>`SELECT uri FROM bindings ORDER BY uri`, (rows) => rows.map((r) => r.uri))
    const setup = yield* registrarSetup({}, LocationCached.layer.pipe(Layer.provide(Layer.succeedContext(database))))
    return { ...setup, sql, stored }
  })

describe("SQLite location service", () => {
  it.effect("bindings survive a restart of the registrar (same data directory)", () =>
    Effect.gen(function*() {
      const dir = join(yield* tempDir, "nested", "data")
      yield* Effect.scoped(Effect.gen(function*() {
        const { send } = yield* registrarSetup({}, SqliteLocation.layer(dir))
        const ok = yield* send(register({
          contacts: ["<sip:bob@10.0.0.9:5061>;q=0.5", `<sip:bob@10.0.0.10>;+sip.instance="<urn:uuid:1>";reg-id=2`],
          expires: 600,
          cseq: 7,
          extra: [["Path", "<sip:edge.example.com;lr>"]]
        }))
        assert.strictEqual(ok.status, 200)
      }))
      yield* TestClock.adjust("10 seconds")
      const { send, registrar } = yield* registrarSetup({}, SqliteLocation.layer(dir))
      const bindings = yield* registrar.lookup("sip:bob@example.com")
      assert.deepStrictEqual(bindings.map((b) => [b.uri, b.q, b.instance, b.regId, b.cseq, b.path]), [
        ["sip:bob@10.0.0.10", undefined, "<urn:uuid:1>", 2, 7, ["<sip:edge.example.com;lr>"]],
        ["sip:bob@10.0.0.9:5061", "0.5", undefined, undefined, 7, ["<sip:edge.example.com;lr>"]]
      ])
      // The stored Call-ID and CSeq still order requests after the restart.
      assert.strictEqual((yield* send(register({ contacts: ["<sip:bob@10.0.0.9:5061>"], cseq: 7 }))).status, 500)
      const query = yield* send(register({ cseq: 8 }))
      assert.deepStrictEqual(contactsOf(query), [
        `<sip:bob@10.0.0.10>;expires=590;+sip.instance="<urn:uuid:1>";reg-id=2`,
        "<sip:bob@10.0.0.9:5061>;expires=590;q=0.5"
      ])
    }))

  it.effect("expired rows are removed by the sweeper and reported; * removes the rest", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const { send, registrar } = yield* registrarSetup({}, SqliteLocation.layer(dir))
      const expired = yield* registrar.events.pipe(Stream.filter((e) => e._tag === "Expired"), Stream.take(1), Stream.runCollect, Effect.forkChild)
      yield* Effect.yieldNow
      yield* send(register({ contacts: ["<sip:bob@10.0.0.9>;expires=60", "<sip:bob@10.0.0.10>"], cseq: 1 }))
      yield* send(register({ contacts: ["<sip:alice@10.0.0.11>"], cseq: 1, aor: "sip:alice@example.com" }))
      yield* TestClock.adjust("61 seconds")
      assert.deepStrictEqual((yield* Fiber.join(expired)).map((e) => e.binding.uri), ["sip:bob@10.0.0.9"])
      assert.deepStrictEqual((yield* registrar.lookup("sip:bob@example.com")).map((b) => b.uri), ["sip:bob@10.0.0.10"])
      assert.strictEqual((yield* send(register({ contacts: ["*"], expires: 0, cseq: 2 }))).status, 200)
      assert.lengthOf(yield* registrar.lookup("sip:bob@example.com"), 0)
      assert.lengthOf(yield* registrar.lookup("sip:alice@example.com"), 1)
    }))

  it.effect("a data directory that cannot be created fails the layer with LocationError Unavailable", () =>
    Effect.gen(function*() {
      const file = join(yield* tempDir, "a-file")
      writeFileSync(file, "")
      const error = yield* Effect.flip(registrarSetup({}, SqliteLocation.layer(join(file, "data"))))
      assert.strictEqual(error._tag, "LocationError")
      assert.strictEqual(error.reason, "Unavailable")
      assert.include(error.message, "cannot create data directory")
    }))

  it.effect("a batch whose commit fails leaves no trace: its REGISTER got 500, the next write stores only what got 200", () =>
    Effect.gen(function*() {
      const { send, registrar, sql, stored } = yield* refusingSetup(yield* tempDir, "sip:bob@10.0.0.66")
      const refused = yield* send(register({ contacts: ["<sip:bob@10.0.0.66>"], cseq: 1 }))
      assert.strictEqual(refused.status, 500)
      assert.lengthOf(yield* registrar.lookup("sip:bob@example.com"), 0)
      yield* sql`DROP TRIGGER refuse`
      // The refused Contact's CSeq 1 was never stored, so CSeq 1 is not out of order now.
      const ok = yield* send(register({ contacts: ["<sip:bob@10.0.0.10>"], cseq: 1 }))
      assert.strictEqual(ok.status, 200)
      assert.deepStrictEqual(contactsOf(ok), ["<sip:bob@10.0.0.10>;expires=3600"])
      assert.deepStrictEqual((yield* registrar.lookup("sip:bob@example.com")).map((b) => b.uri), ["sip:bob@10.0.0.10"])
      assert.deepStrictEqual(yield* stored, ["sip:bob@10.0.0.10"])
    }))

  it.effect("under concurrent REGISTERs of one AOR, what is stored is exactly what was answered 200", () =>
    Effect.gen(function*() {
      const { send, registrar, stored } = yield* refusingSetup(yield* tempDir, "sip:bob@10.0.0.66")
      const hosts = Array.from({ length: 40 }, (_, i) => `10.0.0.${50 + i}`)
      // Staggered by a few scheduler turns each, so they spread over several batches, some while one commits.
      const answers = yield* Effect.forEach(hosts, (host, i) =>
        Effect.gen(function*() {
          for (let turn = 0; turn < i; turn++) yield* Effect.yieldNow
          const answer = yield* send(register({ contacts: [`<sip:bob@${host}>`], callId: `c${i}`, cseq: 1 }))
          return [host, answer.status] as const
        }), { concurrency: "unbounded" })
      assert.deepStrictEqual(answers.find(([host]) => host === "10.0.0.66")?.[1], 500)
      const accepted = answers.filter(([, status]) => status === 200).map(([host]) => `sip:bob@${host}`).sort()
      assert.isAbove(accepted.length, 0)
      assert.strictEqual(accepted.length + answers.filter(([, status]) => status === 500).length, 40)
      assert.deepStrictEqual((yield* registrar.lookup("sip:bob@example.com")).map((b) => b.uri).sort(), accepted)
      assert.deepStrictEqual(yield* stored, accepted)
      // And the AOR still takes writes.
      assert.strictEqual((yield* send(register({ contacts: ["<sip:bob@10.0.0.9>"], callId: "late", cseq: 1 }))).status, 200)
    }))

  it.effect("batches larger than one statement (1,200 AORs at once) are stored whole, and swept whole", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const aors = Array.from({ length: 1200 }, (_, i) => `sip:u${i}@example.com`)
      yield* Effect.scoped(Effect.gen(function*() {
        const { send } = yield* registrarSetup({}, SqliteLocation.layer(dir))
        const answers = yield* Effect.forEach(aors, (aor, i) =>
          send(register({ aor, contacts: [`<sip:u${i}@10.0.${i >> 8}.${i & 255}>;expires=60`], callId: `c${i}`, cseq: 1 })), { concurrency: "unbounded" })
        assert.isTrue(answers.every((a) => a.status === 200))
      }))
      const { registrar } = yield* registrarSetup({}, SqliteLocation.layer(dir))
      for (const i of [0, 499, 500, 1199]) assert.deepStrictEqual((yield* registrar.lookup(aors[i]!)).map((b) => b.uri), [`sip:u${i}@10.0.${i >> 8}.${i & 255}`])
      const expired = yield* registrar.events.pipe(Stream.filter((e) => e._tag === "Expired"), Stream.take(1200), Stream.runCount, Effect.forkChild)
      yield* Effect.yieldNow
      yield* TestClock.adjust("61 seconds")
      assert.strictEqual(yield* Fiber.join(expired), 1200)
      const { registrar: after } = yield* registrarSetup({}, SqliteLocation.layer(dir))
      assert.lengthOf(yield* after.lookup(aors[700]!), 0)
    }))
})
