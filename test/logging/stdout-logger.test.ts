/**
 * The buffered logger: lines logged in one window reach the sink as one write when it ends, lines
 * offered while the sink is backed up are dropped and counted, and what is buffered is written when the
 * logger's scope closes.
 */
import { assert, describe, it } from "@effect/vitest"
import { Cause, Effect, Logger } from "effect"
import { TestClock } from "effect/testing"
import type { LineSink } from "../../src/logging/line-buffer.ts"
import { bufferedLogger } from "../../src/logging/stdout-logger.ts"

const collecting = (pending: () => number = () => 0) => {
  const chunks: Array<string> = []
  const sink: LineSink = { write: (chunk) => void chunks.push(chunk), pendingBytes: pending }
  return { chunks, sink }
}

const withLogger = <A, E>(sink: LineSink, body: Effect.Effect<A, E>, maxBatch?: number) =>
  Effect.scoped(Effect.gen(function*() {
    const logger = yield* bufferedLogger({ sink, ...(maxBatch === undefined ? {} : { maxBatch }) })
    return yield* body.pipe(Effect.provide(Logger.layer([logger])))
  }))

describe("bufferedLogger", () => {
  it.effect("writes a window's lines as one chunk, in order, when the window ends", () =>
    Effect.gen(function*() {
      const { chunks, sink } = collecting()
      const seen = yield* withLogger(
        sink,
        Effect.gen(function*() {
          yield* Effect.logInfo("incoming call", { session: "s1" })
          yield* Effect.logInfo("call answered")
          yield* Effect.logWarning("call ended")
          yield* Effect.yieldNow
          const inWindow = chunks.length
          yield* TestClock.adjust(50)
          return [inWindow, chunks.length]
        })
      )
      assert.deepStrictEqual(seen, [0, 1])
      const lines = chunks[0]!.trimEnd().split("\n")
      assert.strictEqual(lines.length, 3)
      assert.match(lines[0]!, /level=INFO .*message="incoming call"/)
      assert.match(lines[2]!, /level=WARN .*message="call ended"/)
    }))

  it.effect("writes at once when maxBatch lines wait", () =>
    Effect.gen(function*() {
      const { chunks, sink } = collecting()
      const seen = yield* withLogger(
        sink,
        Effect.gen(function*() {
          for (let i = 0; i < 5; i++) yield* Effect.logInfo(`line ${i}`)
          return chunks.map((chunk) => chunk.trimEnd().split("\n").length)
        }),
        2
      )
      assert.deepStrictEqual(seen, [2, 2])
      assert.strictEqual(chunks.length, 3)
    }))

  it.effect("drops and counts lines while the sink is backed up, and reports the count with the next write", () =>
    Effect.gen(function*() {
      let pending = 10 * 1024 * 1024
      const { chunks, sink } = collecting(() => pending)
      yield* withLogger(
        sink,
        Effect.gen(function*() {
          yield* Effect.logInfo("lost 1")
          yield* Effect.logInfo("lost 2")
          yield* Effect.yieldNow
          pending = 0
          yield* Effect.logInfo("kept")
        })
      )
      const all = chunks.join("")
      assert.notInclude(all, "lost")
      assert.match(all, /message=kept/)
      assert.include(all, "logger: 2 lines dropped")
    }))

  it.effect("writes what is still buffered when its scope closes, and nothing below the minimum level", () =>
    Effect.gen(function*() {
      const { chunks, sink } = collecting()
      yield* withLogger(sink, Effect.logInfo("last words").pipe(Effect.andThen(Effect.logDebug("not at info"))))
      assert.strictEqual(chunks.length, 1)
      assert.include(chunks[0]!, `message="last words"`)
      assert.notInclude(chunks[0]!, "not at info")
    }))
})

describe("formatLogFmtFlat", () => {
  it.effect("writes an object's fields as keys, quotes what needs it, and adds the cause and annotations", () =>
    Effect.gen(function*() {
      const { chunks, sink } = collecting()
      yield* withLogger(
        sink,
        Effect.logInfo("incoming call", { session: "s1", from: "sip:a b@x", n: 3 }).pipe(
          Effect.andThen(Effect.logWarning("failed", Cause.fail("boom"))),
          Effect.annotateLogs("node", "n1")
        )
      )
      const [first, second] = chunks.join("").trimEnd().split("\n")
      assert.match(first!, /^timestamp=\S+ level=INFO fiber=#\d+ message="incoming call" session=s1 from="sip:a b@x" n=3 node=n1$/)
      assert.match(second!, /level=WARN .*message=failed cause="[^"]*boom/)
    }))
})
