/**
 * `--gc atomic` needs a node startup flag (16 MB semi-spaces): the server restarts itself with it, in
 * the same process (execve), unless node already has a value of its own. Checked on the real CLI, by the
 * command line the kernel reports for the server's pid.
 */
import { describe, expect, it } from "@effect/vitest"
import * as Fs from "node:fs"
import { freePort, startScript } from "../support/example-process.ts"

const commandLine = (pid: number) => Fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean)

const serverArgs = (port: number) => ["src/main.ts", "--host", "127.0.0.1", "--port", String(port), "--media", "silence"]

const startedWith = async (nodeArgs: ReadonlyArray<string>, serverFlags: ReadonlyArray<string>) => {
  const server = await startScript([...nodeArgs, ...serverArgs(await freePort()), ...serverFlags], "listening on")
  try {
    const listening = server.log().match(/listening on/g) ?? []
    return { argv: commandLine(server.child.pid!), listening: listening.length }
  } finally {
    expect(await server.stop()).not.toBe("hung")
  }
}

describe.skipIf(process.platform !== "linux")("--gc and node's startup flags", () => {
  it("atomic (the default) restarts node with --max-semi-space-size=16, keeping the pid and every argument", async () => {
    const { argv, listening } = await startedWith([], [])
    expect(argv.slice(1, 2)).toEqual(["--max-semi-space-size=16"])
    expect(argv.slice(2)).toEqual(expect.arrayContaining(["--port", "--media", "silence"]))
    expect(argv.filter((arg) => arg.startsWith("--max-semi-space-size"))).toHaveLength(1)
    expect(listening).toBe(1)
  })

  it("keeps a --max-semi-space-size the user gave node", async () => {
    const { argv } = await startedWith(["--max-semi-space-size=8"], [])
    expect(argv.filter((arg) => arg.startsWith("--max-semi-space-size"))).toEqual(["--max-semi-space-size=8"])
  })

  it("incremental keeps V8's young generation: no restart", async () => {
    const { argv } = await startedWith([], ["--gc", "incremental"])
    expect(argv.some((arg) => arg.startsWith("--max-semi-space-size"))).toBe(false)
  })
})
