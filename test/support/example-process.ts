/**
 * Running one of examples/*.ts as its own process (Node 24 runs the TypeScript directly), the way a user
 * would, on a free port; its output is kept for assertions.
 */
import { type ChildProcess, spawn } from "node:child_process"
import * as Net from "node:net"
import * as Path from "node:path"

const root = Path.resolve(import.meta.dirname, "../..")

export const freePort = () =>
  new Promise<number>((resolve) => {
    const server = Net.createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as Net.AddressInfo
      server.close(() => resolve(port))
    })
  })

export interface RunningExample {
  readonly child: ChildProcess
  readonly log: () => string
  /** Polls the output (bounded) until `pattern` shows up; false when it did not. */
  readonly logged: (pattern: RegExp, ms?: number) => Promise<boolean>
  /** SIGTERM, then the exit code, or "hung" (and SIGKILL) after 8 s. */
  readonly stop: () => Promise<number | null | "hung">
}

export const startExample = (file: string, port: number, ready: string): Promise<RunningExample> =>
  startScript([Path.join(root, "examples", file), "--port", String(port)], ready)

/** Runs `node ...args` from the package root until its output shows `ready` (15 s at most). */
export const startScript = async (args: ReadonlyArray<string>, ready: string): Promise<RunningExample> => {
  const file = args.find((arg) => !arg.startsWith("-")) ?? ""
  const child = spawn(process.execPath, [...args], { cwd: root, stdio: ["ignore", "pipe", "pipe"] })
  let log = ""
  child.stdout!.on("data", (d) => (log += d.toString()))
  child.stderr!.on("data", (d) => (log += d.toString()))
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)))
  const logged = async (pattern: RegExp, ms = 5000) => {
    const deadline = Date.now() + ms
    while (!pattern.test(log) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50))
    return pattern.test(log)
  }
  const stop = async () => {
    child.kill("SIGTERM")
    const code = await Promise.race([exited, new Promise<"hung">((r) => setTimeout(() => r("hung"), 8000))])
    if (code === "hung") child.kill("SIGKILL")
    return code
  }
  if (!(await logged(new RegExp(ready), 15_000)) || child.exitCode !== null) {
    await stop()
    throw new Error(`${file} did not start:\n${log}`)
  }
  return { child, log: () => log, logged, stop }
}
