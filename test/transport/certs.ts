/**
 * Certificates made at test time with the openssl CLI: a test CA and server certificates it signs
 * (good, wrong name, expired), in a temporary directory removed with the scope.
 */
import { execFileSync } from "node:child_process"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { Effect, type Scope } from "effect"

export interface TestPki {
  readonly dir: string
  readonly caFile: string
  /** A server certificate for `subjectAltName` signed by the CA, valid for `days` (negative: expired). */
  readonly issue: (name: string, subjectAltName: string, days?: number) => { readonly certFile: string; readonly keyFile: string }
}

const openssl = (dir: string, args: ReadonlyArray<string>) => execFileSync("openssl", args, { cwd: dir, stdio: "pipe" })

const ecKey = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"]

export const testPki: Effect.Effect<TestPki, never, Scope.Scope> = Effect.acquireRelease(
  Effect.sync(() => {
    const dir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "effect-sip-tls-"))
    openssl(dir, ["req", "-x509", ...ecKey, "-keyout", "ca.key", "-out", "ca.pem", "-days", "2", "-subj", "/CN=effect-sip test CA"])
    const issue = (name: string, subjectAltName: string, days = 2) => {
      Fs.writeFileSync(Path.join(dir, `${name}.ext`), `subjectAltName=${subjectAltName}\n`)
      openssl(dir, ["req", ...ecKey, "-keyout", `${name}.key`, "-out", `${name}.csr`, "-subj", `/CN=${name}`])
      openssl(dir, [
        "x509", "-req", "-in", `${name}.csr`, "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
        "-out", `${name}.pem`, "-days", String(days), "-extfile", `${name}.ext`
      ])
      return { certFile: Path.join(dir, `${name}.pem`), keyFile: Path.join(dir, `${name}.key`) }
    }
    return { dir, caFile: Path.join(dir, "ca.pem"), issue }
  }),
  (pki) => Effect.sync(() => Fs.rmSync(pki.dir, { recursive: true, force: true }))
)
