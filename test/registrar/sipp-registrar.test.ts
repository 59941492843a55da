/**
 * The registrar through the real CLI (`node src/main.ts --registrar --users FILE --auth invite --auth-domains
 * 127.0.0.1,pbx.example`, SQLite in a
 * temporary data directory) against real SIPp with digest credentials (-au/-ap, [authentication]):
 * register, refresh, two Contacts, 423, wildcard unregister (sipp/reg_auth.xml); an INVITE challenged then
 * answered (sipp/auth_invite.xml: its From is sipp@127.0.0.1, one of our domains), and a caller from another
 * domain answered unchallenged (sipp/auth_foreign.xml); our own `register` command against our own registrar; and a users file
 * we cannot read: one line, exit code 2.
 */
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { spawnSync } from "node:child_process"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { freePort, type RunningExample, startScript } from "../support/example-process.ts"
import { runProcess, sippPath } from "../support/run-process.ts"
import { freePorts } from "../api/sipp-ports.ts"

const root = Path.resolve(import.meta.dirname, "../..")
const rtpBase = 50000 + 2 * Math.floor(Math.random() * 450)
const dir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "effect-sip-registrar-"))
const users = Path.join(dir, "users.txt")
Fs.writeFileSync(users, "# who may register\nbob:secret\n")

let server: RunningExample
let port: number

beforeAll(async () => {
  port = await freePort()
  server = await startScript([
    "src/main.ts", "--gc", "incremental", "--host", "127.0.0.1", "--port", String(port),
    "--rtp-ports", `${rtpBase}-${rtpBase + 19}`, "--media", "silence",
    "--registrar", "--users", users, "--data-dir", Path.join(dir, "data"), "--realm", "example.com",
    "--digest", "md5,sha-256", "--auth", "invite", "--auth-domains", "127.0.0.1,pbx.example"
  ], "listening on")
})

afterAll(async () => {
  expect(await server.stop()).not.toBe("hung")
  Fs.rmSync(dir, { recursive: true, force: true })
})

const sipp = async (scenario: string, service: string, extra: ReadonlyArray<string> = []) => {
  const [local, media] = freePorts(2)
  return runProcess(sippPath, [
    `127.0.0.1:${port}`, "-sf", Path.join(root, "sipp", scenario), "-s", service, "-au", "bob", "-ap", "secret",
    "-m", "1", "-i", "127.0.0.1", "-p", String(local), "-mp", String(media), "-nostdin",
    "-timeout", "20s", "-timeout_error", ...extra
  ], 30_000)
}

describe("the registrar against SIPp, through the CLI", () => {
  it("REGISTER challenged then accepted; refresh; two Contacts; 423; * with Expires 0", async () => {
    const result = await sipp("reg_auth.xml", "bob")
    expect(result.code, result.output).toBe(0)
  })

  it("--auth invite: an INVITE challenged with 401, retried with credentials, answered and ended", async () => {
    const result = await sipp("auth_invite.xml", "svc")
    expect(result.code, result.output).toBe(0)
  })

  it("--auth-domains: a caller from another domain (From carol@elsewhere.example) is answered with no challenge", async () => {
    const result = await sipp("auth_foreign.xml", "svc")
    expect(result.code, result.output).toBe(0)
  })

  it("our own `register` command registers with our registrar (SHA-256 or MD5) and unregisters", async () => {
    const result = await runProcess(process.execPath, [
      Path.join(root, "src/main.ts"), "register", "--registrar", `127.0.0.1:${port}`, "--user", "bob",
      "--password", "secret", "--expires", "120", "--duration", "0.5", "sip:bob@127.0.0.1"
    ], 20_000)
    expect(result.code, result.output).toBe(0)
    expect(result.output).toMatch(/registered for 120 s/)
    expect(result.output).toMatch(/unregistered/)
  })

  it("a wrong password is refused: the command reports the failure", async () => {
    const result = await runProcess(process.execPath, [
      Path.join(root, "src/main.ts"), "register", "--registrar", `127.0.0.1:${port}`, "--user", "bob",
      "--password", "wrong", "--duration", "0.5", "sip:bob@127.0.0.1"
    ], 20_000)
    expect(result.output).toMatch(/registration failed: 401/)
  })

  it("an unreadable users file: one line on stderr, exit code 2", () => {
    const run = spawnSync(process.execPath, [
      Path.join(root, "src/main.ts"), "--gc", "incremental", "--registrar", "--users", Path.join(dir, "missing.txt"),
      "--host", "127.0.0.1", "--port", "0"
    ], { encoding: "utf8", timeout: 15_000 })
    expect(run.status).toBe(2)
    expect(run.stderr.trim().split("\n")).toEqual([expect.stringMatching(/^effect-sip: cannot read users file .*missing\.txt/)])
  })
})
