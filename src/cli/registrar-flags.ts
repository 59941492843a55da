/**
 * The registrar's command-line flags: `--registrar [--users FILE | --users-table] [--data-dir DIR] [--database
 * postgres://…] [--realm R] [--auth invite [--auth-trust CIDR,…] [--auth-domains D,…]] [--auth-status 401|407]
 * [--auth-qop auth|auth-int|auth,auth-int]`, turned into the layer that makes the server a registrar.
 * Values we cannot use fail with a FlagError naming the flag.
 */
import { Layer, Option } from "effect"
import { Flag } from "effect/cli"
import type { SqlClient } from "effect/sql/SqlClient"
import type { LocationError } from "../registrar/location.ts"
import { parseChallengeDomains } from "../auth/challenge-domains.ts"
import { parseTrustedNetworks } from "../auth/trusted-networks.ts"
import { type UserStore, UserStoreLive, type UsersFileError } from "../auth/user-store.ts"
import { withRegistrar } from "../api/with-registrar.ts"
import { PostgresDatabase, PostgresLocation } from "../storage/postgres.ts"
import { SqliteDatabase, SqliteLocation } from "../storage/sqlite.ts"
import { UserStoreSql } from "../storage/users-sql.ts"
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
  usersTable: Flag.Boolean("users-table").pipe(
    Flag.withDescription("Read the users from the `users` table of the location database instead of a file"),
    Flag.withDefault(false)
  ),
  auth: Flag.Literals("auth", ["invite"]).pipe(Flag.withDescription("Challenge INVITEs (and SUBSCRIBE, REFER) too (needs users)"), Flag.optional),
  authTrust: Flag.String("auth-trust").pipe(
    Flag.withDescription("CIDR,… : INVITEs from these networks are not challenged (with --auth invite)"),
    Flag.optional
  ),
  authDomains: Flag.String("auth-domains").pipe(
    Flag.withDescription(
      "D,… : with --auth invite, challenge only callers whose From domain is one of these (our users); callers from other domains go on"
    ),
    Flag.optional
  ),
  authQop: Flag.Literals("auth-qop", ["auth", "auth-int", "auth,auth-int"]).pipe(
    Flag.withDescription("qop offered in challenges: auth-int signs the body as well"),
    Flag.withDefault("auth")
  ),
  authStatus: Flag.Literals("auth-status", ["401", "407"]).pipe(
    Flag.withDescription("Challenge with 401/WWW-Authenticate (a registrar, UAS) or 407/Proxy-Authenticate"),
    Flag.withDefault("401")
  )
} as const

export interface RegistrarFlags {
  readonly registrar: boolean
  readonly users: Option.Option<string>
  readonly dataDir: string
  readonly database: Option.Option<string>
  readonly realm: Option.Option<string>
  readonly digest: string
  readonly usersTable: boolean
  readonly auth: Option.Option<"invite">
  readonly authTrust: Option.Option<string>
  readonly authDomains: Option.Option<string>
  readonly authQop: "auth" | "auth-int" | "auth,auth-int"
  readonly authStatus: "401" | "407"
}

/** The layer to provide under the server (Layer.empty without --registrar); throws FlagError. */
export const registrarLayer = (flags: RegistrarFlags, defaultRealm: string) => {
  if (!flags.registrar) {
    const stray = [
      ["--users", flags.users],
      ["--database", flags.database],
      ["--realm", flags.realm],
      ["--auth", flags.auth],
      ["--auth-trust", flags.authTrust],
      ["--auth-domains", flags.authDomains],
      ["--users-table", flags.usersTable ? Option.some(true) : Option.none()]
    ]
      .filter(([, v]) => Option.isSome(v as Option.Option<unknown>))
      .map(([name]) => name)
    if (stray.length > 0) throw new FlagError({ message: `${stray.join(", ")}: only with --registrar` })
    return Layer.empty
  }
  const users = Option.getOrUndefined(flags.users)
  if (users !== undefined && flags.usersTable) throw new FlagError({ message: "--users and --users-table: choose one" })
  const withUsers = users !== undefined || flags.usersTable
  if (Option.isSome(flags.auth) && !withUsers) throw new FlagError({ message: "--auth invite: needs --users or --users-table" })
  if (Option.isSome(flags.authTrust) && Option.isNone(flags.auth)) throw new FlagError({ message: "--auth-trust: only with --auth invite" })
  const trust = Option.getOrUndefined(Option.map(flags.authTrust, parseTrustedNetworks))
  if (typeof trust === "string") throw new FlagError({ message: `--auth-trust: ${trust}` })
  if (Option.isSome(flags.authDomains) && Option.isNone(flags.auth)) throw new FlagError({ message: "--auth-domains: only with --auth invite" })
  const domains = Option.getOrUndefined(Option.map(flags.authDomains, (list) => parseChallengeDomains(list.split(","))))
  if (typeof domains === "string") throw new FlagError({ message: `--auth-domains: ${domains}` })
  const database = Option.getOrUndefined(flags.database)
  if (database !== undefined && !/^postgres(ql)?:\/\//.test(database)) {
    throw new FlagError({ message: `--database: expected postgres://…, got "${database}"` })
  }
  // One database layer value for the location and the users table: built once, one connection pool.
  const store: Layer.Layer<SqlClient, LocationError> = database === undefined ? SqliteDatabase.layer(flags.dataDir) : PostgresDatabase.layer(database)
  const location = database === undefined ? SqliteLocation.layer(flags.dataDir, store) : PostgresLocation.layer(database, store)
  const userStore: Layer.Layer<UserStore, UsersFileError | LocationError> | undefined = users !== undefined
    ? UserStoreLive.fromFile(users)
    : flags.usersTable
    ? UserStoreSql.layer.pipe(Layer.provide(store))
    : undefined
  return withRegistrar({
    location,
    ...(userStore === undefined ? {} : { users: userStore }),
    challenger: {
      realm: Option.getOrElse(flags.realm, () => defaultRealm),
      status: flags.authStatus === "407" ? 407 : 401,
      qops: flags.authQop === "auth,auth-int" ? ["auth", "auth-int"] : [flags.authQop],
      algorithms: flags.digest.split(",").map((a) => (a === "md5" ? "MD5" : "SHA-256"))
    },
    // The dialog-creating requests; the stack answers SUBSCRIBE 405 and REFER outside a dialog 481 before any gate.
    challenge: Option.isSome(flags.auth) ? ["INVITE", "SUBSCRIBE", "REFER"] : [],
    ...(trust === undefined ? {} : { trust }),
    ...(domains === undefined ? {} : { domains })
  })
}
