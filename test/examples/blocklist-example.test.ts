/**
 * The example a user copies (examples/blocklist-tone-server.ts) must keep working: run it as its own
 * process, call it with SIPp from a blocked caller (403) and from an allowed one (ring, answer, BYE),
 * then stop it with SIGTERM and check it exits promptly.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Path from "node:path"
import { freePort, startExample } from "../support/example-process.ts"
import { runProcess, sippPath } from "../support/run-process.ts"

const fixtures = Path.join(import.meta.dirname, "fixtures")

const sipp = (port: number, scenario: string) =>
  runProcess(sippPath, [
    `127.0.0.1:${port}`, "-sf", Path.join(fixtures, scenario), "-m", "1", "-i", "127.0.0.1", "-p", "0",
    "-timeout", "15s", "-timeout_error", "-nostdin"
  ], 25_000)

describe("examples/blocklist-tone-server.ts against SIPp", () => {
  it("blocks a listed caller with 403, rings then answers anyone else, and stops on SIGTERM", async () => {
    const port = await freePort()
    const example = await startExample("blocklist-tone-server.ts", port, "example listening on")
    try {
      const blocked = await sipp(port, "blocked_call.xml")
      expect(blocked.code, blocked.output).toBe(0)
      const allowed = await sipp(port, "allowed_call.xml")
      expect(allowed.code, allowed.output).toBe(0)
      // The example logs each ending as it handles the event: allow it a moment after SIPp exits.
      expect(await example.logged(/ended: Rejected/), example.log()).toBe(true)
      expect(await example.logged(/ended: NormalClearing/), example.log()).toBe(true)
    } finally {
      expect(await example.stop()).not.toBe("hung")
    }
  })
})
