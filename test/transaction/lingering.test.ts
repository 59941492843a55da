import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { TestClock } from "effect/testing"
import { LINGER_BATCH_MS } from "../../src/transaction/lingering.ts"
import { makeFakeNetwork } from "../../src/transport/fake.ts"
import { answerWith, party, rawPeer, request, settle, summary } from "./support.ts"

describe("lingering transactions expire in batches", () => {
  it.effect("those answered within one batch interval share an expiry: each waits at least 64*T1 and at most a batch more; a retransmission until then gets the final again", () =>
    Effect.gen(function*() {
      const network = yield* makeFakeNetwork({ seed: 3 })
      const bob = yield* party(network, "10.0.0.2", 5060, { tu: answerWith(200) })
      const alice = yield* rawPeer(network, "10.0.0.1", 5070)
      const dest = bob.local[0]
      const from = alice.local[0]
      const send = (count: number) =>
        Effect.gen(function*() {
          const sent = Array.from({ length: count }, () => request("OPTIONS", from, dest))
          for (const r of sent) yield* alice.send(r, dest)
          yield* settle
          return sent
        })
      const first = yield* send(5) // t = 0: opens a batch
      yield* TestClock.adjust(LINGER_BATCH_MS - 1)
      yield* send(5) // still in the first batch
      yield* TestClock.adjust(1)
      yield* send(5) // t = one batch interval: a second batch
      expect(summary(yield* alice.inbox.takeAll)).toEqual(Array(15).fill(200))
      expect(yield* bob.layer.counts).toEqual({ client: 0, server: 15 })

      // The last of the first batch started lingering at LINGER_BATCH_MS - 1: it still lingers 64*T1 after that.
      yield* TestClock.adjust(32_000 - 1)
      yield* settle
      expect(yield* bob.layer.counts).toEqual({ client: 0, server: 15 })
      yield* alice.send(first[0], dest)
      yield* settle
      expect(summary(yield* alice.inbox.takeAll)).toEqual([200])
      yield* TestClock.adjust(1) // t = 32,000 + LINGER_BATCH_MS: the first batch's expiry
      yield* settle
      expect(yield* bob.layer.counts).toEqual({ client: 0, server: 5 })
      yield* TestClock.adjust(LINGER_BATCH_MS)
      yield* settle
      expect(yield* bob.layer.counts).toEqual({ client: 0, server: 0 })
    }))
})
