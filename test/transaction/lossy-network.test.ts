import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit } from "effect"
import { TestClock } from "effect/testing"
import { makeResponse } from "../../src/sip/index.ts"
import type { TransactionEvent } from "../../src/transaction/transaction-layer.ts"
import { makeFakeNetwork, type NetworkConditions } from "../../src/transport/fake.ts"
import { answerWith, type Layer, party, request, settle, tags, watch } from "./support.ts"

/** Runs the clock forward in small steps so deliveries and timers interleave as they would live. */
const run = (ms: number, step = 50) =>
  Effect.gen(function*() {
    for (let t = 0; t < ms; t += step) {
      yield* TestClock.adjust(step)
      yield* settle
    }
  })

const pair = (conditions: NetworkConditions, seed: number, tu: (e: TransactionEvent, l: Layer) => Effect.Effect<void>) =>
  Effect.gen(function*() {
    const network = yield* makeFakeNetwork({ seed, ...conditions })
    const alice = yield* party(network, "10.0.0.1", 5060)
    const bob = yield* party(network, "10.0.0.2", 5060, { tu })
    return { network, alice, bob }
  })

describe("transactions over a lossy, duplicating, reordering network (FakeNetwork, seeded)", () => {
  it.effect("§17.1.2.2 Timer E + §17.2.2: 40 OPTIONS transactions all complete with 30% loss each way; both sides drain to zero", () =>
    Effect.gen(function*() {
      const { network, alice, bob } = yield* pair({ loss: 0.3, delayMs: 20 }, 42, answerWith(200))
      const watches = []
      for (let i = 0; i < 40; i++) {
        watches.push(yield* watch(yield* alice.layer.sendRequest(request("OPTIONS", alice.udp, bob.udp), bob.udp)))
      }
      yield* run(40_000)
      expect(yield* network.lost).toBeGreaterThan(10)
      for (const w of watches) {
        expect(w.statuses()).toEqual([200])
        expect(w.ended()).toEqual(Exit.void)
      }
      // Retransmitted requests never reach the TU twice.
      expect(tags(bob.events.seen).filter((t) => t === "RequestReceived").length).toBe(40)
      expect(yield* alice.layer.counts).toEqual({ client: 0, server: 0 })
      expect(yield* bob.layer.counts).toEqual({ client: 0, server: 0 })
    }))

  it.effect("duplication: every duplicate request is absorbed (one RequestReceived each) and every duplicate final absorbed (one 200 each)", () =>
    Effect.gen(function*() {
      const { alice, bob } = yield* pair({ duplication: 0.6, delayMs: 5 }, 9, answerWith(200))
      const watches = []
      for (let i = 0; i < 30; i++) {
        watches.push(yield* watch(yield* alice.layer.sendRequest(request("MESSAGE", alice.udp, bob.udp), bob.udp)))
      }
      yield* run(40_000, 100)
      for (const w of watches) expect(w.statuses()).toEqual([200])
      expect(tags(bob.events.seen)).toEqual(Array(30).fill("RequestReceived"))
      expect(yield* alice.layer.counts).toEqual({ client: 0, server: 0 })
      expect(yield* bob.layer.counts).toEqual({ client: 0, server: 0 })
    }))

  it.effect("reordering + loss: INVITEs answered 180 then 486 end with one 486 each, ACKed; stray-free; both sides drain", () =>
    Effect.gen(function*() {
      const tu = (event: TransactionEvent, layer: Layer): Effect.Effect<void> =>
        event._tag !== "RequestReceived"
          ? Effect.void
          : Effect.gen(function*() {
            const { id, request: r } = event.transaction
            yield* Effect.ignore(layer.respond(id, makeResponse(r, 180, "Ringing", { toTag: "tu" })))
            yield* Effect.ignore(layer.respond(id, makeResponse(r, 486, "Busy Here", { toTag: "tu" })))
          })
      const { network, alice, bob } = yield* pair({ reorder: 0.5, reorderDelayMs: 30, loss: 0.2, delayMs: 10 }, 123, tu)
      const watches = []
      for (let i = 0; i < 20; i++) {
        watches.push(yield* watch(yield* alice.layer.sendRequest(request("INVITE", alice.udp, bob.udp), bob.udp)))
      }
      yield* run(80_000, 100)
      expect(yield* network.lost).toBeGreaterThan(0)
      for (const w of watches) {
        expect(w.statuses().filter((s) => s >= 200)).toEqual([486])
        expect(w.ended()).toEqual(Exit.void)
      }
      expect(tags(bob.events.seen).filter((t) => t === "RequestReceived").length).toBe(20)
      expect(tags(bob.events.seen).filter((t) => t === "ServerTransactionFailed").length).toBe(0)
      expect(yield* alice.layer.counts).toEqual({ client: 0, server: 0 })
      expect(yield* bob.layer.counts).toEqual({ client: 0, server: 0 })
    }))

  it.effect("the same seed replays the same losses", () =>
    Effect.gen(function*() {
      const once = Effect.scoped(Effect.gen(function*() {
        const { network, alice, bob } = yield* pair({ loss: 0.5 }, 77, answerWith(200))
        for (let i = 0; i < 10; i++) yield* alice.layer.sendRequest(request("OPTIONS", alice.udp, bob.udp), bob.udp)
        yield* run(5000, 500)
        return yield* network.lost
      }))
      const a = yield* once
      const b = yield* once
      expect(a).toBe(b)
      expect(a).toBeGreaterThan(0)
    }))
})
