/**
 * The PostgreSQL location service (src/storage/postgres.ts) on a real server started for this file: the
 * migrations run, and two registrars sharing the table (two servers) see each other's bindings; concurrent
 * REGISTERs for one AOR on both never lose a binding (the advisory lock serialises them).
 */
import { afterAll, assert, beforeAll, describe, it } from "@effect/vitest"
import { Effect } from "effect"
import { PostgresLocation } from "../../src/storage/postgres.ts"
import { freePort } from "../support/example-process.ts"
import { type PostgresServer, startPostgres } from "../support/postgres-server.ts"
import { register, registrarSetup } from "./support.ts"

let pg: PostgresServer

beforeAll(async () => {
  pg = startPostgres(await freePort())
}, 120_000)

afterAll(() => pg.stop())

describe("PostgreSQL location service", () => {
  it.live("two registrars share one location table", () =>
    Effect.gen(function*() {
      const a = yield* registrarSetup({}, PostgresLocation.layer(pg.url))
      const b = yield* registrarSetup({}, PostgresLocation.layer(pg.url))
      const ok = yield* a.send(register({ contacts: ["<sip:bob@10.0.0.9:5061>;q=0.7"], expires: 600, cseq: 1, aor: "sip:bob@shared.example" }))
      assert.strictEqual(ok.status, 200)
      const seen = yield* b.registrar.lookup("sip:bob@shared.example")
      assert.deepStrictEqual(seen.map((x) => [x.uri, x.q, x.cseq]), [["sip:bob@10.0.0.9:5061", "0.7", 1]])
      // B refreshes what A stored; the ordering check sees A's CSeq.
      assert.strictEqual((yield* b.send(register({ contacts: ["<sip:bob@10.0.0.9:5061>"], cseq: 1, aor: "sip:bob@shared.example" }))).status, 500)
      assert.strictEqual((yield* b.send(register({ contacts: ["*"], expires: 0, cseq: 2, aor: "sip:bob@shared.example" }))).status, 200)
      assert.lengthOf(yield* a.registrar.lookup("sip:bob@shared.example"), 0)
    }).pipe(Effect.scoped))

  it.live("concurrent REGISTERs for one AOR on both servers keep every binding", () =>
    Effect.gen(function*() {
      const a = yield* registrarSetup({}, PostgresLocation.layer(pg.url))
      const b = yield* registrarSetup({}, PostgresLocation.layer(pg.url))
      const n = 20
      yield* Effect.forEach(Array.from({ length: n }, (_, i) => i), (i) =>
        (i % 2 === 0 ? a : b).registrar.register(register({
          contacts: [`<sip:bob@10.0.1.${i}:5060>`], cseq: 1, callId: `device-${i}`, aor: "sip:bob@race.example"
        })), { concurrency: "unbounded" })
      assert.lengthOf(yield* a.registrar.lookup("sip:bob@race.example"), n)
    }).pipe(Effect.scoped))
})
