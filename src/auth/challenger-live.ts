/**
 * The live Challenger over a UserStore: stateless HMAC nonces (nonce.ts), replay protection
 * (nonce-counts.ts), failure limits per source and per user (failure-limiter.ts), logged once and counted.
 * Every challenge is the same for known and unknown users (RFC 7616 §5.11: no user enumeration).
 */
import { Clock, Effect, Layer, Metric } from "effect"
import { randomBytes } from "node:crypto"
import type { SipRequest } from "../sip/message.ts"
import { type AuthAnswer, type AuthVerdict, Challenger } from "./challenger.ts"
import { makeFailureLimiter } from "./failure-limiter.ts"
import { makeNonce } from "./nonce.ts"
import { NonceCounts } from "./nonce-counts.ts"
import { type ServerAlgorithm, UserStore } from "./user-store.ts"
import { type Qop, verifyCredentials } from "./verify-credentials.ts"

export interface ChallengerConfig {
  readonly realm: string
  /** 401 with WWW-Authenticate as a registrar or UAS; 407 with Proxy-Authenticate for a proxy-like front. */
  readonly status: 401 | 407
  /** Challenges offered, preferred first (RFC 8760 §2.4: a UAC answers the topmost it supports). Old UAs
   *  that read only the first challenge need MD5 first. */
  readonly algorithms: ReadonlyArray<ServerAlgorithm>
  /** qop values offered (RFC 2617 §3.2.1): auth-int also signs the body; a UAC offered both picks auth. */
  readonly qops: ReadonlyArray<Qop>
  readonly nonceLifetimeMs: number
  /** Failures from one source within `windowMs` before it is refused with 403. */
  readonly threshold: number
  /** Failures for one username, from anywhere, within `windowMs` before every attempt for it is refused with
   *  403, right password or not (a guess spread over many addresses then tells nothing). Higher than
   *  `threshold`, so one noisy address is refused well before its target's owner is. */
  readonly userThreshold: number
  readonly windowMs: number
  /** Sources, usernames and nonces remembered at most. */
  readonly capacity: number
  /** The HMAC key of the nonces; servers sharing it accept each other's nonces. Default: random per start. */
  readonly secret?: Uint8Array
}

export const defaultChallengerConfig: ChallengerConfig = {
  realm: "effect-sip",
  status: 401,
  algorithms: ["SHA-256", "MD5"],
  qops: ["auth"],
  nonceLifetimeMs: 300_000,
  threshold: 20,
  userThreshold: 50,
  windowMs: 60_000,
  capacity: 100_000
}

const failuresMetric = Metric.counter("sip_auth_failures_total", { description: "Failed digest authentications" })
const throttledMetric = Metric.counter("sip_auth_throttled_total", { description: "Requests refused: too many failures" })

const makeChallenger = Effect.fnUntraced(function*(config: ChallengerConfig) {
  const users = yield* UserStore
  const secret = config.secret ?? randomBytes(32)
  const limiter = yield* makeFailureLimiter(config)
  const userLimiter = yield* makeFailureLimiter({ ...config, threshold: config.userThreshold })
  const counts = new NonceCounts(config.capacity)
  const totals = { failures: 0, throttled: 0 }
  const challengeHeader = config.status === 401 ? "WWW-Authenticate" : "Proxy-Authenticate"
  const credentialsHeader = config.status === 401 ? "authorization" : "proxy-authorization"
  const forbidden: AuthVerdict = { _tag: "Refused", answer: { status: 403, options: { headers: [] } } }

  // One nonce for all the challenges of one answer: whichever the UAC picks, it is the same.
  const challenge = (now: number, stale: boolean): AuthVerdict => {
    const nonce = makeNonce(secret, config.realm, now)
    const tail = `qop="${config.qops.join(",")}"${stale ? ", stale=true" : ""}`
    const headers = config.algorithms.map((algorithm) =>
      [challengeHeader, `Digest realm="${config.realm}", nonce="${nonce}", algorithm=${algorithm}, ${tail}`] as const
    )
    const answer: AuthAnswer = { status: config.status, options: { headers } }
    return { _tag: "Refused", answer }
  }

  const throttled = Effect.sync(() => {
    totals.throttled++
    return forbidden
  }).pipe(Effect.tap(Metric.update(throttledMetric, 1)))

  const check = Effect.fnUntraced(function*(request: SipRequest, source: string) {
    const now = yield* Clock.currentTimeMillis
    if (yield* limiter.blocked(source)) return yield* throttled
    const result = yield* verifyCredentials({
      request,
      header: credentialsHeader,
      prefix: `${credentialsHeader}:`,
      realm: config.realm,
      algorithms: config.algorithms,
      qops: config.qops,
      secret,
      now,
      lifetimeMs: config.nonceLifetimeMs,
      counts,
      users
    })
    const username = result._tag === "Valid" || result._tag === "Failed" ? result.username : undefined
    if (username !== undefined && (yield* userLimiter.blocked(username))) return yield* throttled
    switch (result._tag) {
      case "Valid":
        return { _tag: "Authorized", username: result.username } satisfies AuthVerdict
      case "Missing":
        return challenge(now, false)
      case "Stale":
        return challenge(now, true)
      case "Failed": {
        totals.failures++
        yield* Metric.update(failuresMetric, 1)
        if (yield* limiter.fail(source)) {
          yield* Effect.logWarning(
            `auth: ${config.threshold} failed attempts from ${source} (last: ${result.reason}, user ${username ?? "-"}); refusing it for ${config.windowMs / 1000} s`
          )
        }
        if (username !== undefined && (yield* userLimiter.fail(username))) {
          yield* Effect.logWarning(
            `auth: ${config.userThreshold} failed attempts for user ${username} (last from ${source}); refusing every attempt for it for ${config.windowMs / 1000} s`
          )
        }
        if (counts.size > config.capacity / 2) counts.prune(now - config.nonceLifetimeMs)
        return challenge(now, false)
      }
    }
  })

  return Challenger.of({ check, counts: Effect.sync(() => ({ ...totals })) })
})

export const ChallengerLive = {
  /** Needs a UserStore (UserStoreLive.fromFile / fromText). */
  layer: (config: Partial<ChallengerConfig> = {}) =>
    Layer.effect(Challenger, makeChallenger({ ...defaultChallengerConfig, ...config }))
}
