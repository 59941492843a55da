/**
 * Call records through the real CLI: `--cdr` writes one record per SIPp call to <data-dir>/cdr.db, a call
 * still up at SIGTERM is recorded too (ended by shutdown), and `cdr --since` prints them (table, --json);
 * the same against a real PostgreSQL with --cdr-database. A bad --since: one line, exit code 2.
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
const node = process.execPath
const rtpBase = 39000 + 2 * Math.floor(Math.random() * 400)
const dir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "effect-sip-cdr-"))
let pg: PostgresServer

beforeAll(async () => {
  pg = startPostgres(await freePort())
}, 120_000)

afterAll(() => {
  pg.stop()
  Fs.rmSync(dir, { recursive: true, force: true })
})

/** A server with call records in `store`, SIPp's calls through it, then SIGTERM; the Call-IDs SIPp used. */
const callsThrough = async (store: ReadonlyArray<string>, rtp: number) => {
  const port = await freePort()
  const server = await startScript([
    "src/main.ts", "--gc", "incremental", "--host", "127.0.0.1", "--port", String(port),
    "--rtp-ports", `${rtp}-${rtp + 19}`, "--media", "silence", ...store
  ], "listening on")
  const [local, media] = freePorts(2)
  const sipp = await runProcess(sippPath, [
    `127.0.0.1:${port}`, "-sf", Path.join(root, "sipp", "basic_call.xml"), "-m", "3", "-r", "10",
    "-i", "127.0.0.1", "-p", String(local), "-mp", String(media), "-nostdin", "-timeout", "30s", "-timeout_error"
  ], 45_000)
  // One more call, left up: SIGTERM ends it, and it is recorded too.
  const [local2, media2] = freePorts(2)
  const held = runProcess(sippPath, [
    `127.0.0.1:${port}`, "-sn", "uac", "-d", "20000", "-m", "1", "-i", "127.0.0.1", "-p", String(local2),
    "-mp", String(media2), "-nostdin", "-timeout", "30s"
  ], 30_000)
  expect(await server.logged(/call answered" session=s4-/, 10_000)).toBe(true)
  expect(await server.stop()).not.toBe("hung")
  await held
  return sipp
}

const cdr = (args: ReadonlyArray<string>) => runProcess(node, ["src/main.ts", "cdr", ...args], 20_000)

const records = (output: string) =>
  output.trim().split("\n").filter((line) => line.startsWith("{")).map((line) => JSON.parse(line) as Record<string, unknown>)

describe("call detail records", () => {
  it("SQLite: one record per call, the call up at SIGTERM included; table and --json", async () => {
    const dataDir = Path.join(dir, "sqlite")
    const sipp = await callsThrough(["--cdr", "--data-dir", dataDir], rtpBase)
    expect(sipp.code, sipp.output).toBe(0)
    const json = await cdr(["--data-dir", dataDir, "--since", "10m", "--json"])
    expect(json.code, json.output).toBe(0)
    const all = records(json.output)
    expect(all).toHaveLength(4)
    const normal = all.filter((r) => r.endReason === "normal_clearing")
    expect(normal).toHaveLength(3)
    for (const r of normal) {
      expect(r).toMatchObject({ direction: "inbound", callee: expect.stringContaining("sip:service@127.0.0.1"), codec: expect.any(String) })
      expect(r.durationSeconds as number).toBeGreaterThan(0)
      expect(r.callId).toMatch(/^\d+-\d+@127\.0\.0\.1$/)
    }
    expect(all.filter((r) => r.endReason === "shutdown")).toHaveLength(1)
    const table = await cdr(["--data-dir", dataDir])
    expect(table.output.split("\n")[0]).toMatch(/^ended\s+dir\s+caller\s+callee/)
    expect(table.output.match(/normal_clearing/g)).toHaveLength(3)
  }, 90_000)

  it("PostgreSQL with --cdr-database", async () => {
    const sipp = await callsThrough(["--cdr-database", pg.url], rtpBase + 20)
    expect(sipp.code, sipp.output).toBe(0)
    const json = await cdr(["--cdr-database", pg.url, "--json"])
    expect(json.code, json.output).toBe(0)
    expect(records(json.output).filter((r) => r.endReason === "normal_clearing")).toHaveLength(3)
  }, 90_000)

  it("a --since we cannot read: one line, exit code 2", async () => {
    const result = await cdr(["--since", "yesterday"])
    expect(result.code).toBe(2)
    expect(result.output.trim()).toBe(`effect-sip cdr: --since: expected a number and s, m, h or d (e.g. 1h), got "yesterday"`)
  })
})
