/**
 * The location service through the real CLI and SIPp: a binding made before a restart is still listed
 * after it (SQLite in --data-dir), and two servers on one PostgreSQL table (--database) see each other's
 * bindings: SIPp registers with one (sipp/reg_bind.xml) and queries the other (sipp/reg_query.xml).
 */
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { freePorts } from "../api/sipp-ports.ts"
import { freePort, startScript } from "../support/example-process.ts"
import { type PostgresServer, startPostgres } from "../support/postgres-server.ts"
import { runProcess, sippPath } from "../support/run-process.ts"

const root = Path.resolve(import.meta.dirname, "../..")
const dir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "effect-sip-location-"))
const users = Path.join(dir, "users.txt")
Fs.writeFileSync(users, "carol:pw\n")
let pg: PostgresServer

beforeAll(async () => {
  pg = startPostgres(await freePort())
}, 120_000)

afterAll(() => {
  pg.stop()
  Fs.rmSync(dir, { recursive: true, force: true })
})

const server = async (store: ReadonlyArray<string>) => {
  const port = await freePort()
  const rtp = 50000 + 2 * Math.floor(Math.random() * 450)
  const running = await startScript([
    "src/main.ts", "--gc", "incremental", "--host", "127.0.0.1", "--port", String(port), "--rtp-ports", `${rtp}-${rtp + 9}`,
    "--registrar", "--users", users, "--realm", "example.com", "--digest", "md5", ...store
  ], "listening on")
  return { port, stop: running.stop }
}

const sipp = async (port: number, scenario: string) => {
  const [local] = freePorts(1)
  return runProcess(sippPath, [
    `127.0.0.1:${port}`, "-sf", Path.join(root, "sipp", scenario), "-s", "carol", "-au", "carol", "-ap", "pw",
    "-m", "1", "-i", "127.0.0.1", "-p", String(local), "-nostdin", "-timeout", "15s", "-timeout_error"
  ], 25_000)
}

describe("the location service through the CLI", () => {
  it("SQLite: a binding survives a restart of the server", async () => {
    const store = ["--data-dir", Path.join(dir, "data")]
    const first = await server(store)
    const bound = await sipp(first.port, "reg_bind.xml")
    expect(await first.stop()).not.toBe("hung")
    expect(bound.code, bound.output).toBe(0)
    const second = await server(store)
    const listed = await sipp(second.port, "reg_query.xml")
    expect(await second.stop()).not.toBe("hung")
    expect(listed.code, listed.output).toBe(0)
  }, 60_000)

  it("PostgreSQL: two servers share one location table", async () => {
    const store = ["--database", pg.url]
    const [a, b] = [await server(store), await server(store)]
    try {
      const bound = await sipp(a.port, "reg_bind.xml")
      expect(bound.code, bound.output).toBe(0)
      const listed = await sipp(b.port, "reg_query.xml")
      expect(listed.code, listed.output).toBe(0)
    } finally {
      expect(await a.stop()).not.toBe("hung")
      expect(await b.stop()).not.toBe("hung")
    }
  }, 60_000)
})
