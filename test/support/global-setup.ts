/**
 * Runs once before the suite (`npm test` on a fresh machine). The SIPp tests need `sipp`, the location
 * service's PostgreSQL tests need Debian's `postgresql` and the console's browser test `chromium`: when one is
 * missing and we are root on Debian, install
 * it as .ci/run would; otherwise stop the run at once with one line that names the package, rather than
 * letting every test that needs it fail on its own (or time out installing it inside a test hook).
 */
import { spawnSync } from "node:child_process"
import * as Fs from "node:fs"
import * as Path from "node:path"

const has = (command: string): boolean => spawnSync("sh", ["-c", `command -v ${command}`]).status === 0

const hasPostgres = (): boolean => {
  const base = "/usr/lib/postgresql"
  return Fs.existsSync(base) && Fs.readdirSync(base).some((v) => Fs.existsSync(Path.join(base, v, "bin", "initdb")))
}

const isRoot = (): boolean => typeof process.getuid === "function" && process.getuid() === 0

const aptInstall = (packages: ReadonlyArray<string>): boolean => {
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" }
  console.log(`[setup] ${packages.join(", ")} missing: installing with apt-get (once)`)
  const update = spawnSync("apt-get", ["update", "-qq"], { env, stdio: ["ignore", "ignore", "inherit"] })
  if (update.status !== 0) return false
  return spawnSync("apt-get", ["install", "-y", "-qq", ...packages], { env, stdio: ["ignore", "ignore", "inherit"] })
    .status === 0
}

const needed = (): ReadonlyArray<{ readonly pkg: string; readonly present: () => boolean }> => [
  { pkg: "sip-tester", present: () => has("sipp") },
  { pkg: "postgresql", present: hasPostgres },
  // The live console's browser test drives Debian's chromium through puppeteer-core.
  { pkg: "chromium", present: () => has("chromium") }
]

export default function setup(): void {
  const missing = () => needed().filter((n) => !n.present()).map((n) => n.pkg)
  const first = missing()
  if (first.length === 0) return
  if (isRoot() && has("apt-get") && aptInstall(first) && missing().length === 0) return
  throw new Error(
    `${missing().join(" and ")} missing and could not be installed: run \`sudo apt-get install ${missing().join(" ")}\` (Debian/Ubuntu), then \`npm test\` again`
  )
}
