/**
 * The softphone a user copies (examples/softphone.ts) must keep working: run it as its own process against
 * SIPp as its registrar (sipp/registrar.xml), check the Contact SIPp received names the softphone's own
 * socket, call that Contact with SIPp (INVITE with SDP, RTP, BYE), then stop it with SIGTERM: it unregisters
 * (SIPp's scenario ends with the Expires: 0 REGISTER) and exits promptly.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { freePorts, udpBound } from "../api/sipp-ports.ts"
import { startScript } from "../support/example-process.ts"
import { runProcess, sippPath } from "../support/run-process.ts"

const root = Path.resolve(import.meta.dirname, "../..")

describe("examples/softphone.ts against SIPp", () => {
  it("registers its own Contact, answers the call SIPp places to it, unregisters on SIGTERM", async () => {
    const [registrarPort, port, callerPort, callerMedia] = freePorts(4)
    const messages = Path.join(Fs.mkdtempSync(Path.join(Os.tmpdir(), "effect-sip-softphone-")), "registrar.log")
    const registrar = runProcess(sippPath, [
      "-sf", Path.join(root, "sipp/registrar.xml"), "-i", "127.0.0.1", "-p", String(registrarPort), "-m", "1",
      "-nostdin", "-timeout", "40s", "-timeout_error", "-trace_msg", "-message_file", messages
    ], 50_000)
    expect(await udpBound(registrarPort)).toBe(true)
    const contact = `sip:alice@127.0.0.1:${port}`
    const phone = await startScript([
      Path.join(root, "examples/softphone.ts"), "--registrar", `127.0.0.1:${registrarPort}`, "--aor",
      "sip:alice@127.0.0.1", "--port", String(port), "--expires", "60"
    ], "registered for")
    let stopped: number | null | "hung" = "hung"
    try {
      expect(phone.log()).toContain(`registered for 60 s as ${contact}`)
      const call = await runProcess(sippPath, [
        `127.0.0.1:${port}`, "-sf", Path.join(root, "sipp/basic_call.xml"), "-s", "alice", "-m", "1",
        "-i", "127.0.0.1", "-p", String(callerPort), "-mi", "127.0.0.1", "-mp", String(callerMedia),
        "-timeout", "20s", "-timeout_error", "-nostdin"
      ], 30_000)
      expect(call.code, call.output).toBe(0)
      expect(await phone.logged(new RegExp(`from sip:sipp@127.0.0.1:${callerPort} to ${contact}`)), phone.log()).toBe(true)
      expect(await phone.logged(/answered/), phone.log()).toBe(true)
      expect(await phone.logged(/ended: NormalClearing/), phone.log()).toBe(true)
    } finally {
      stopped = await phone.stop()
    }
    expect(stopped).not.toBe("hung")
    expect(phone.log()).toMatch(/unregistered/)
    const done = await registrar
    expect(done.code, done.output).toBe(0)
    const log = Fs.readFileSync(messages, "utf8")
    expect(log).toContain(`Contact: <${contact}>;expires=60`)
    expect(log).toContain(`Contact: <${contact}>;expires=0`)
  }, 60_000)
})
