/**
 * Running a real peer (SIPp, or any command) from a test: bounded in time, its exit code and the tail
 * of its output kept for the assertion message.
 */
import { Effect } from "effect"
import { spawn, spawnSync } from "node:child_process"

export const sippPath = spawnSync("which", ["sipp"], { encoding: "utf8" }).stdout.trim()

export interface ProcessResult {
  readonly code: number | null
  readonly output: string
}

/** Runs `command` to completion; SIGKILL after `timeoutMs`. */
export const runProcess = (command: string, args: ReadonlyArray<string>, timeoutMs: number): Promise<ProcessResult> =>
  new Promise((resolve) => {
    const child = spawn(command, [...args], { stdio: ["ignore", "pipe", "pipe"] })
    let output = ""
    child.stdout.on("data", (d) => (output += d.toString()))
    child.stderr.on("data", (d) => (output += d.toString()))
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs)
    child.on("exit", (code) => {
      clearTimeout(timer)
      resolve({ code, output: output.slice(-3000) })
    })
  })

/** Runs sipp to completion (bounded), as an Effect. */
export const runSipp = (args: ReadonlyArray<string>, timeoutMs: number): Effect.Effect<ProcessResult> =>
  Effect.promise(() => runProcess(sippPath, args, timeoutMs))
