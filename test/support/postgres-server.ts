/**
 * A private PostgreSQL server for tests: Debian's `postgresql` (installed with apt-get when missing and we
 * are root, as global-setup.ts does for SIPp), a fresh cluster in a temporary directory owned by the
 * `postgres` user (initdb refuses root), on a free port of 127.0.0.1, stopped and removed by `stop`.
 */
import { spawnSync } from "node:child_process"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"

const binDir = (): string | undefined => {
  const base = "/usr/lib/postgresql"
  if (!Fs.existsSync(base)) return undefined
  const versions = Fs.readdirSync(base).filter((v) => Fs.existsSync(Path.join(base, v, "bin", "initdb"))).sort()
  return versions.length === 0 ? undefined : Path.join(base, versions.at(-1)!, "bin")
}

const isRoot = (): boolean => typeof process.getuid === "function" && process.getuid() === 0

const install = (): void => {
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" }
  spawnSync("apt-get", ["update", "-qq"], { env, stdio: "ignore" })
  spawnSync("apt-get", ["install", "-y", "-qq", "postgresql"], { env, stdio: "ignore" })
}

export interface PostgresServer {
  readonly url: string
  readonly stop: () => void
}

const run = (bin: string, args: ReadonlyArray<string>): void => {
  // As root, the cluster belongs to `postgres`; as anyone else, to us.
  const [command, argv] = isRoot() ? ["runuser", ["-u", "postgres", "--", bin, ...args]] : [bin, [...args]]
  const result = spawnSync(command, argv, { encoding: "utf8", timeout: 60_000 })
  if (result.status !== 0) throw new Error(`${Path.basename(bin)} failed: ${result.stderr || result.stdout}`)
}

export const startPostgres = (port: number): PostgresServer => {
  let bin = binDir()
  if (bin === undefined && isRoot()) {
    install()
    bin = binDir()
  }
  if (bin === undefined) throw new Error("PostgreSQL is missing: run `sudo apt-get install postgresql`, then the tests again")
  const dir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "effect-sip-pg-"))
  if (isRoot()) spawnSync("chown", ["postgres", dir])
  const data = Path.join(dir, "data")
  run(Path.join(bin, "initdb"), ["-D", data, "-A", "trust", "-U", "effect", "--no-sync"])
  run(Path.join(bin, "pg_ctl"), [
    "-D", data, "-l", Path.join(dir, "log"), "-w", "start",
    "-o", `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`
  ])
  return {
    url: `postgres://effect@127.0.0.1:${port}/postgres`,
    stop: () => {
      try {
        run(Path.join(bin, "pg_ctl"), ["-D", data, "-m", "fast", "-w", "stop"])
      } finally {
        Fs.rmSync(dir, { recursive: true, force: true })
      }
    }
  }
}
