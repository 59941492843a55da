/**
 * The pure parts of the server-side authenticator: stateless nonces, the users file, nonce-counts and
 * the failure limiter (Effect's RateLimiter on a bounded store) and its bounds.
 */
import { assert, describe, it } from "@effect/vitest"
import { Duration, Effect } from "effect"
import { TestClock } from "effect/testing"
import { createHmac, randomBytes } from "node:crypto"
import { checkNonce, makeNonce } from "../../src/auth/nonce.ts"
import { NonceCounts } from "../../src/auth/nonce-counts.ts"
import { makeBoundedRateStore } from "../../src/auth/bounded-rate-store.ts"
import { makeFailureLimiter } from "../../src/auth/failure-limiter.ts"
import { parseUsers } from "../../src/auth/user-store.ts"

const secret = new Uint8Array(32).fill(7)

describe("nonces", () => {
  it("the MAC is HMAC-SHA256 of time.salt:realm (keys shorter and longer than a block)", () => {
    for (const key of [randomBytes(32), randomBytes(100)]) {
      const nonce = makeNonce(key, "example.com", 123_456)
      const head = nonce.slice(0, nonce.lastIndexOf("."))
      const mac = createHmac("sha256", key).update(`${head}:example.com`).digest("base64url").slice(0, 27)
      assert.strictEqual(nonce, `${head}.${mac}`)
      assert.strictEqual(checkNonce(key, "example.com", nonce, 123_456, 60_000), "valid")
    }
  })

  it("are unique, valid within their lifetime, stale after, invalid under another secret or realm", () => {
    const a = makeNonce(secret, "r", 1000)
    assert.notStrictEqual(a, makeNonce(secret, "r", 1000))
    assert.strictEqual(checkNonce(secret, "r", a, 5000, 60_000), "valid")
    assert.strictEqual(checkNonce(secret, "r", a, 62_000, 60_000), "stale")
    assert.strictEqual(checkNonce(new Uint8Array(32), "r", a, 5000, 60_000), "invalid")
    assert.strictEqual(checkNonce(secret, "other", a, 5000, 60_000), "invalid")
    assert.strictEqual(checkNonce(secret, "r", "garbage", 5000, 60_000), "invalid")
    assert.strictEqual(checkNonce(secret, "r", a, 0, 60_000), "valid")
    assert.strictEqual(checkNonce(secret, "r", makeNonce(secret, "r", 10_000), 0, 60_000), "invalid")
  })
})

describe("the users file", () => {
  it("reads passwords and HA1 forms, skips comments and blank lines", () => {
    const users = parseUsers("# users\n\nalice:pa:ss\nbob:md5:0123456789abcdef0123456789ABCDEF\n  carol:md5x\n")
    assert.ok(typeof users !== "string")
    assert.deepStrictEqual(users.get("alice"), { password: "pa:ss" })
    assert.deepStrictEqual(users.get("bob"), { md5: "0123456789abcdef0123456789abcdef" })
    assert.deepStrictEqual(users.get("carol"), { password: "md5x" })
  })

  it("names the first bad line", () => {
    assert.strictEqual(parseUsers("ok:1\nnocolon\n"), "line 2: expected username:password")
    assert.strictEqual(parseUsers("bob:md5:123\n"), "line 1: md5 HA1 must be hex of the right length")
  })
})

describe("nonce-counts", () => {
  it("accept only a higher nc per nonce; a forgotten nonce never passes again", () => {
    const counts = new NonceCounts(2)
    const n1 = makeNonce(secret, "r", 1), n2 = makeNonce(secret, "r", 2), n3 = makeNonce(secret, "r", 3)
    assert.isTrue(counts.accept(n1, 1, 1))
    assert.isFalse(counts.accept(n1, 1, 1))
    assert.isTrue(counts.accept(n1, 1, 2))
    assert.isTrue(counts.accept(n2, 2, 1))
    assert.isTrue(counts.accept(n3, 3, 1))
    assert.strictEqual(counts.size, 2)
    assert.isFalse(counts.accept(n1, 1, 9))
    // Only accepted nonces are known (their MAC was checked): a forgotten one, or one never seen, is not.
    assert.isFalse(counts.knows(n1))
    assert.isTrue(counts.knows(n3))
    assert.isFalse(counts.knows(makeNonce(secret, "r", 4)))
  })
})

describe("failure limiter", () => {
  it.effect("refuses a key after the threshold within the window opened by its first failure, and stays bounded", () =>
    Effect.gen(function*() {
      const limiter = yield* makeFailureLimiter({ threshold: 3, windowMs: 1000, capacity: 100 })
      assert.isFalse(yield* limiter.fail("a"))
      yield* TestClock.adjust(1)
      assert.isFalse(yield* limiter.fail("a"))
      assert.isFalse(yield* limiter.blocked("a"))
      assert.isTrue(yield* limiter.fail("a"))
      // Past the threshold a failure is not counted again, and does not say "reached" twice.
      assert.isFalse(yield* limiter.fail("a"))
      yield* TestClock.adjust(498)
      assert.isTrue(yield* limiter.blocked("a"))
      assert.isFalse(yield* limiter.blocked("b"))
      // Looking at a key does not store it.
      assert.strictEqual(limiter.size(), 1)
      yield* TestClock.adjust(501)
      assert.isFalse(yield* limiter.blocked("a"))
      for (let i = 0; i < 1000; i++) yield* limiter.fail(`10.0.${i >> 8}.${i & 255}`)
      assert.strictEqual(limiter.size(), 100)
      // The least recently failing were forgotten, the latest kept.
      for (let i = 0; i < 2; i++) yield* limiter.fail("10.0.3.231")
      assert.isTrue(yield* limiter.blocked("10.0.3.231"))
    }))

  it.effect("the store behind it keeps fixed windows only, and says so", () =>
    Effect.gen(function*() {
      const { store } = makeBoundedRateStore(10)
      const error = yield* Effect.flip(store.tokenBucket({ key: "k", tokens: 1, limit: 1, refillRate: Duration.seconds(1), allowOverflow: false }))
      assert.strictEqual(error.reason._tag, "RateLimitStoreError")
    }))
})
