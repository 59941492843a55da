/**
 * The example a user copies (examples/blocklist-tone-server.ts) must keep working: run it as its own
 * process, call it with SIPp from a blocked caller (403) and from an allowed one (ring, answer, BYE),
 * then stop it with SIGTERM and check it exits promptly.
 */
import { describe, expect, it } from "@effect/vitest"
import { type ChildProcess, spawn } from "node:child_process"
import * as Net from "node:net"
import * as Path from "node:path"
import { runProcess, sippPath } from "../support/run-process.ts"

const root = Path.resolve(import.meta.dirname, "../..")
const fixtures = Path.join(import.meta.dirname, "fixtures")

const freePort = () =>
  new Promise<number>((resolve) => {
    const server = Net.createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as Net.AddressInfo
      server.close(() => resolve(port))
    })
  })


const startExample = async (port: number): Promise<{ child: ChildProcess; log: () => string }> => {
  const child = spawn(process.execPath, [Path.join(root, "examples/blocklist-tone-server.ts"), "--port", String(port)], {
    cwd: root,
    stdio: ["ignore", "pipe", "pipe"]
  })
  let log = ""
  child.stdout!.on("data", (d) => (log += d.toString()))
  child.stderr!.on("data", (d) => (log += d.toString()))
  const deadline = Date.now() + 15_000
  while (!log.includes("example listening on")) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`example did not start:\n${log}`)
    await new Promise((r) => setTimeout(r, 50))
  }
  return { child, log: () => log }
}

const sipp = (port: number, scenario: string) =>
  runProcess(sippPath, [
    `127.0.0.1:${port}`, "-sf", Path.join(fixtures, scenario), "-m", "1", "-i", "127.0.0.1", "-p", "0",
    "-timeout", "15s", "-timeout_error", "-nostdin"
  ], 25_000)

describe("examples/blocklist-tone-server.ts against SIPp", () => {
  it("blocks a listed caller with 403, rings then answers anyone else, and stops on SIGTERM", async () => {
    const port = await freePort()
    const example = await startExample(port)
    try {
      const blocked = await sipp(port, "blocked_call.xml")
      expect(blocked.code, blocked.output).toBe(0)
      const allowed = await sipp(port, "allowed_call.xml")
      expect(allowed.code, allowed.output).toBe(0)
      // The example logs each ending as it handles the event: allow it a moment after SIPp exits.
      for (let i = 0; i < 50 && !/ended: NormalClearing/.test(example.log()); i++) await new Promise((r) => setTimeout(r, 50))
      expect(example.log()).toMatch(/ended: Rejected/)
      expect(example.log()).toMatch(/ended: NormalClearing/)
    } finally {
      const exited = new Promise<number | null>((resolve) => example.child.on("exit", (code) => resolve(code)))
      example.child.kill("SIGTERM")
      const code = await Promise.race([exited, new Promise<"hung">((r) => setTimeout(() => r("hung"), 8000))])
      if (code === "hung") example.child.kill("SIGKILL")
      expect(code).not.toBe("hung")
    }
  })
})
