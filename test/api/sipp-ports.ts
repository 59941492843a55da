/**
 * For tests that run SIPp beside our stack: free ports from the OS (each with the three above it free, as
 * SIPp's -mp binds four) and a bounded wait until SIPp's UDP socket is bound.
 */
import { spawnSync } from "node:child_process"
import * as Path from "node:path"

const root = Path.resolve(import.meta.dirname, "../..")

export const freePorts = (n: number): Array<number> =>
  spawnSync(process.execPath, [Path.join(root, "sipp/free-ports.cjs"), String(n), "4"], { encoding: "utf8" })
    .stdout.trim().split(/\s+/).map(Number)

/** True once something listens on 127.0.0.1:`port`/udp (5 s at most). */
export const udpBound = async (port: number): Promise<boolean> => {
  for (let i = 0; i < 50; i++) {
    if (spawnSync("ss", ["-Hlnu", `sport = :${port}`], { encoding: "utf8" }).stdout.trim() !== "") return true
    await new Promise((r) => setTimeout(r, 100))
  }
  return false
}
