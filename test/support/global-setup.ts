/**
 * Runs once before the suite (`npm test` on a fresh machine): the SIPp tests need `sipp`. When it is
 * missing and we are root on Debian, install `sip-tester` as .ci/run does; otherwise stop the run at once
 * with one line that names the package, rather than letting every SIPp test fail on its own.
 */
import { spawnSync } from "node:child_process"

const has = (command: string): boolean => spawnSync("sh", ["-c", `command -v ${command}`]).status === 0

const aptInstall = (pkg: string): boolean => {
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" }
  console.log(`[setup] ${pkg} is missing: installing it with apt-get (once)`)
  const update = spawnSync("apt-get", ["update", "-qq"], { env, stdio: ["ignore", "ignore", "inherit"] })
  if (update.status !== 0) return false
  return spawnSync("apt-get", ["install", "-y", "-qq", pkg], { env, stdio: ["ignore", "ignore", "inherit"] }).status === 0
}

const isRoot = (): boolean => typeof process.getuid === "function" && process.getuid() === 0

export default function setup(): void {
  if (has("sipp")) return
  if (isRoot() && has("apt-get") && aptInstall("sip-tester") && has("sipp")) return
  throw new Error(
    "SIPp is missing and could not be installed: run `sudo apt-get install sip-tester` (Debian/Ubuntu), then `npm test` again"
  )
}
