/**
 * The registrar's command-line flags: `--registrar [--users FILE] [--data-dir DIR] [--database
 * postgres://…] [--realm R] [--auth invite]`, turned into the layer that makes the server a registrar.
 * Values we cannot use fail with a FlagError naming the flag.
 */
import { Layer, Option } from "effect"
import { Flag } from "effect/cli"
import { UserStoreLive } from "../auth/user-store.ts"
import { withRegistrar } from "../api/with-registrar.ts"
import { PostgresLocation } from "../storage/postgres.ts"
import { SqliteLocation } from "../storage/sqlite.ts"
import { FlagError } from "./server-flags.ts"

export const registrarFlags = {
  registrar: Flag.Boolean("registrar").pipe(
    Flag.withDescription("Also act as a registrar (REGISTER allowed)"),
    Flag.withDefault(false)
  ),
  users: Flag.String("users").pipe(
    Flag.withDescription("username:password file (# comments; user:md5:HA1 or user:sha-256:HA1); challenges REGISTER"),
    Flag.optional
  ),
  dataDir: Flag.String("data-dir").pipe(
    Flag.withDescription("Directory of the SQLite location database"),
    Flag.withDefault("./effect-sip-data")
  ),
  database: Flag.String("database").pipe(Flag.withDescription("postgres://… : a shared location table instead of SQLite"), Flag.optional),
  realm: Flag.String("realm").pipe(Flag.withDescription("Digest realm (default: the advertised host)"), Flag.optional),
  digest: Flag.Literals("digest", ["sha-256,md5", "md5,sha-256", "sha-256", "md5"]).pipe(
    Flag.withDescription("Digest challenges offered, preferred first (old UAs read only the first: md5,sha-256)"),
    Flag.withDefault("sha-256,md5")
  ),
  auth: Flag.Literals("auth", ["invite"]).pipe(Flag.withDescription("Challenge INVITEs too (needs --users)"), Flag.optional)
} as const

export interface RegistrarFlags {
  readonly registrar: boolean
  readonly users: Option.Option<string>
  readonly dataDir: string
  readonly database: Option.Option<string>
  readonly realm: Option.Option<string>
  readonly digest: string
  readonly auth: Option.Option<"invite">
}

/** The layer to provide under the server (Layer.empty without --registrar); throws FlagError. */
export const registrarLayer = (flags: RegistrarFlags, defaultRealm: string) => {
  if (!flags.registrar) {
    const stray = [["--users", flags.users], ["--database", flags.database], ["--realm", flags.realm], ["--auth", flags.auth]]
      .filter(([, v]) => Option.isSome(v as Option.Option<unknown>))
      .map(([name]) => name)
    if (stray.length > 0) throw new FlagError({ message: `${stray.join(", ")}: only with --registrar` })
    return Layer.empty
  }
  if (Option.isSome(flags.auth) && Option.isNone(flags.users)) throw new FlagError({ message: "--auth invite: needs --users" })
  const database = Option.getOrUndefined(flags.database)
  if (database !== undefined && !/^postgres(ql)?:\/\//.test(database)) {
    throw new FlagError({ message: `--database: expected postgres://…, got "${database}"` })
  }
  const location = database === undefined ? SqliteLocation.layer(flags.dataDir) : PostgresLocation.layer(database)
  const users = Option.getOrUndefined(flags.users)
  return withRegistrar({
    location,
    ...(users === undefined ? {} : { users: UserStoreLive.fromFile(users) }),
    challenger: {
      realm: Option.getOrElse(flags.realm, () => defaultRealm),
      algorithms: flags.digest.split(",").map((a) => (a === "md5" ? "MD5" : "SHA-256"))
    },
    challenge: Option.isSome(flags.auth) ? ["INVITE"] : []
  })
}
