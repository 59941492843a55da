/**
 * Transfer against real SIPp, with the real CLI server (`node src/main.ts`, REFERs accepted by default):
 * blind (REFER 202, NOTIFY 100 then 200, the server's INVITE reaching a second SIPp, the referred call
 * ended by the server's BYE), attended (the Replaces embedded in Refer-To arrives on that INVITE),
 * `Refer-Sub: false` (no NOTIFY), an INVITE whose Replaces names no dialog (481), and `--transfer reject`
 * (603). SIPp's exit code is each scenario's verdict.
 */
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import * as Path from "node:path"
import { freePorts, udpBound } from "../api/sipp-ports.ts"
import { type RunningExample, startScript } from "../support/example-process.ts"
import { runProcess, sippPath } from "../support/run-process.ts"

const root = Path.resolve(import.meta.dirname, "../..")
const scenario = (name: string) => Path.join(root, "sipp", name)
const rtp = 50000 + 40 * Math.floor(Math.random() * 12)

const servers: Record<"accept" | "reject", { server: RunningExample; port: number } | undefined> = { accept: undefined, reject: undefined }

const start = async (transfer: "accept" | "reject", rtpMin: number) => {
  const [port] = freePorts(1)
  const server = await startScript([
    "src/main.ts", "--host", "127.0.0.1", "--port", String(port), "--media", "silence", "--gc", "incremental",
    "--rtp-ports", `${rtpMin}-${rtpMin + 39}`, "--transfer", transfer
  ], "listening on")
  return { server, port }
}

beforeAll(async () => {
  servers.accept = await start("accept", rtp)
  servers.reject = await start("reject", rtp + 480)
}, 40_000)

afterAll(async () => {
  for (const running of Object.values(servers)) if (running) expect(await running.server.stop()).not.toBe("hung")
})

const sippArgs = (server: number, file: string, port: number, media: number, extra: ReadonlyArray<string> = []) => [
  ...(server === 0 ? [] : [`127.0.0.1:${server}`]), "-sf", scenario(file), "-s", "service", "-m", "1",
  "-i", "127.0.0.1", "-p", String(port), "-mi", "127.0.0.1", "-mp", String(media),
  "-timeout", "20s", "-timeout_error", "-nostdin", ...extra
]

/** The transfer target (a SIPp UAS) first, then the referrer (a SIPp UAC) against the server. */
const transferTo = async (server: number, referrer: string, target: string) => {
  const [targetPort, targetMedia, port, media] = freePorts(4)
  const callee = runProcess(sippPath, sippArgs(0, target, targetPort, targetMedia), 30_000)
  expect(await udpBound(targetPort)).toBe(true)
  const caller = await runProcess(sippPath, sippArgs(server, referrer, port, media, ["-key", "target_port", String(targetPort)]), 30_000)
  const reached = await callee
  expect(caller.code, caller.output).toBe(0)
  expect(reached.code, reached.output).toBe(0)
}

describe("transfer against SIPp (the CLI server)", () => {
  it("blind: REFER 202, NOTIFY 100 Trying then 200 OK, the new INVITE reaches the target, BYE ends the referred call", async () => {
    await transferTo(servers.accept!.port, "refer_blind.xml", "refer_target_uas.xml")
    expect(await servers.accept!.server.logged(/transferred/)).toBe(true)
  }, 40_000)

  it("attended: the Replaces embedded in Refer-To goes on the INVITE to the target", async () => {
    await transferTo(servers.accept!.port, "refer_attended.xml", "refer_attended_uas.xml")
  }, 40_000)

  it("Refer-Sub: false (RFC 4488): 202 says so, no NOTIFY, the referred call still ends once the target answered", async () => {
    await transferTo(servers.accept!.port, "refer_norefersub.xml", "refer_target_uas.xml")
  }, 40_000)

  it("an INVITE whose Replaces names no dialog: 481 (RFC 3891 §3)", async () => {
    const [port, media] = freePorts(2)
    const result = await runProcess(sippPath, sippArgs(servers.accept!.port, "replaces_unknown.xml", port, media), 30_000)
    expect(result.code, result.output).toBe(0)
  }, 40_000)

  it("--transfer reject: REFER answered 603, the call goes on until SIPp's BYE", async () => {
    const [port, media] = freePorts(2)
    const result = await runProcess(sippPath, sippArgs(servers.reject!.port, "refer_reject.xml", port, media), 30_000)
    expect(result.code, result.output).toBe(0)
  }, 40_000)
})
