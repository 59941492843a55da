/**
 * Who may register or call (RFC 3261 §22): a UserStore gives H(A1) for a user, so passwords may be stored
 * as HA1 hashes. The file form, one user a line:
 *
 *   alice:secret                 a password
 *   bob:md5:<32 hex>             H(bob:realm:password) with MD5 (for that realm)
 *   carol:sha-256:<64 hex>       the same with SHA-256
 *   # a comment; blank lines are skipped
 */
import { Context, Effect, Layer, Schema } from "effect"
import { readFileSync } from "node:fs"
import { hashHex } from "./digest-response.ts"

export type ServerAlgorithm = "MD5" | "SHA-256"

type Entry = { readonly password: string } | { readonly md5?: string; readonly sha256?: string }

export class UsersFileError extends Schema.TaggedError<UsersFileError>()("UsersFileError", {
  message: Schema.String
}) {}

export class UserStore extends Context.Service<UserStore, {
  /** H(username:realm:password) in `algorithm`, or undefined for an unknown user (or a hash of another kind). */
  ha1(username: string, realm: string, algorithm: ServerAlgorithm): Effect.Effect<string | undefined>
}>()("effect-sip/auth/UserStore") {}

const HEX = { md5: /^[0-9a-f]{32}$/i, "sha-256": /^[0-9a-f]{64}$/i } as const

/** The users of a file's text, or the first line that is not one. */
export const parseUsers = (text: string): ReadonlyMap<string, Entry> | string => {
  const users = new Map<string, Entry>()
  const lines = text.split(/\r?\n/)
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim()
    if (line.length === 0 || line.startsWith("#")) continue
    const colon = line.indexOf(":")
    if (colon <= 0 || colon === line.length - 1) return `line ${i + 1}: expected username:password`
    const name = line.slice(0, colon)
    const rest = line.slice(colon + 1)
    const second = rest.indexOf(":")
    const kind = second > 0 ? rest.slice(0, second).toLowerCase() : ""
    const hash = rest.slice(second + 1)
    if (kind === "md5" || kind === "sha-256") {
      if (!HEX[kind].test(hash)) return `line ${i + 1}: ${kind} HA1 must be hex of the right length`
      const before = users.get(name)
      const merged = before !== undefined && !("password" in before) ? before : {}
      users.set(name, { ...merged, ...(kind === "md5" ? { md5: hash.toLowerCase() } : { sha256: hash.toLowerCase() }) })
    } else {
      users.set(name, { password: rest })
    }
  }
  return users
}

const storeOf = (users: ReadonlyMap<string, Entry>): UserStore["Service"] => {
  // A password's H(A1), hashed once per user, algorithm and realm (one realm per user: the server's), not per
  // request. Bounded by the users.
  const memo = new Map<string, { realm: string; MD5?: string; "SHA-256"?: string }>()
  return UserStore.of({
    ha1: (username, realm, algorithm) =>
      Effect.sync(() => {
        const entry = users.get(username)
        if (entry === undefined) return undefined
        if (!("password" in entry)) return algorithm === "MD5" ? entry.md5 : entry.sha256
        let hashes = memo.get(username)
        if (hashes?.realm !== realm) memo.set(username, hashes = { realm })
        return hashes[algorithm] ??= hashHex(algorithm, `${username}:${realm}:${entry.password}`)
      })
  })
}

export const UserStoreLive = {
  /** Users from text (tests, or a file read elsewhere). */
  fromText: (text: string): Layer.Layer<UserStore, UsersFileError> =>
    Layer.effect(UserStore, Effect.suspend(() => {
      const users = parseUsers(text)
      return typeof users === "string" ? Effect.fail(new UsersFileError({ message: users })) : Effect.succeed(storeOf(users))
    })),
  /** Users from a file, read once at start. */
  fromFile: (path: string): Layer.Layer<UserStore, UsersFileError> =>
    Layer.effect(UserStore, Effect.gen(function*() {
      const text = yield* Effect.try({
        try: () => readFileSync(path, "utf8"),
        catch: (e) => new UsersFileError({ message: `cannot read users file ${path}: ${(e as Error).message}` })
      })
      const users = parseUsers(text)
      if (typeof users === "string") return yield* new UsersFileError({ message: `users file ${path}, ${users}` })
      return storeOf(users)
    }))
}
