/**
 * The SQLite location service (src/storage/sqlite.ts) behind a real registrar: a data directory created on
 * first use, migrations, bindings surviving a restart, expiry from the table, several bindings per AOR.
 */
import { assert, describe, it } from "@effect/vitest"
import { Effect, Fiber, Stream } from "effect"
import { TestClock } from "effect/testing"
import { mkdtempSync, rmSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { SqliteLocation } from "../../src/storage/sqlite.ts"
import { contactsOf, register, registrarSetup } from "./support.ts"

const tempDir = Effect.acquireRelease(
  Effect.sync(() => mkdtempSync(join(tmpdir(), "effect-sip-location-"))),
  (dir) => Effect.sync(() => rmSync(dir, { recursive: true, force: true }))
)

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
})
