import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Stream } from "effect"
import { makeResponse } from "../../src/sip/index.ts"
import type { SipResponse } from "../../src/sip/message.ts"
import { drained, eventually, liveParty, ringingTu } from "./support-live.ts"
import { request } from "./support.ts"

// Short timers so that the wait timers (J, K, D, I) pass within a second of real time.
const timers = { t1: 20, t2: 160, t4: 100 }

const statuses = (responses: ReadonlyArray<SipResponse>) => responses.map((r) => r.status)

describe("transactions over real sockets on 127.0.0.1", () => {
  for (const kind of ["udp", "tcp"] as const) {
    it.live(`${kind.toUpperCase()}: 20 OPTIONS transactions complete with 200 and both layers drain to zero`, () =>
      Effect.gen(function*() {
        const alice = yield* liveParty([kind], timers)
        const bob = yield* liveParty([kind], timers, ringingTu)
        const to = bob.local[0]
        const results = yield* Effect.forEach(
          Array.from({ length: 20 }, () => request("OPTIONS", alice.local[0], to)),
          (r) =>
            Effect.flatMap(alice.layer.sendRequest(r, to), (tx) => Stream.runCollect(tx.responses)),
          { concurrency: 20 }
        )
        for (const responses of results) expect(statuses(responses)).toEqual([200])
        expect(bob.seen.filter((e) => e._tag === "RequestReceived").length).toBe(20)
        expect(yield* eventually(drained(alice.layer), 5000)).toBe(true)
        expect(yield* eventually(drained(bob.layer), 5000)).toBe(true)
      }))

    it.live(`${kind.toUpperCase()}: INVITE → 180 → cancel() → CANCEL 200 + CancelReceived → 487 → ACK absorbed; both drain`, () =>
      Effect.gen(function*() {
        const alice = yield* liveParty([kind], timers)
        const bob = yield* liveParty([kind], timers, ringingTu)
        const to = bob.local[0]
        const tx = yield* alice.layer.sendRequest(request("INVITE", alice.local[0], to), to)
        const responses: Array<SipResponse> = []
        const done = yield* Stream.runForEach(tx.responses, (r) =>
          Effect.gen(function*() {
            responses.push(r)
            if (r.status === 180) yield* alice.layer.cancel(tx.id)
          })).pipe(Effect.exit, Effect.forkScoped)
        expect(yield* eventually(Effect.sync(() => done.pollUnsafe() !== undefined), 5000)).toBe(true)
        expect(done.pollUnsafe()).toEqual(Exit.succeed(Exit.void))
        expect(statuses(responses)).toEqual([180, 487])
        expect(bob.seen.map((e) => e._tag)).toEqual(["RequestReceived", "CancelReceived"])
        expect(yield* eventually(drained(alice.layer), 5000)).toBe(true)
        expect(yield* eventually(drained(bob.layer), 5000)).toBe(true)
      }))
  }

  it.live("UDP: an INVITE answered 200 reaches Accepted on both sides, the 2xx ACK goes up as AckReceived, Timers L/M drain them", () =>
    Effect.gen(function*() {
      const alice = yield* liveParty(["udp"], timers)
      const bob = yield* liveParty(["udp"], timers, (event, layer) =>
        event._tag === "RequestReceived"
          ? Effect.ignore(layer.respond(event.transaction.id, makeResponse(event.transaction.request, 200, "OK", { toTag: "b" })))
          : Effect.void)
      const to = bob.local[0]
      const tx = yield* alice.layer.sendRequest(request("INVITE", alice.local[0], to), to)
      const [first] = yield* Stream.runCollect(Stream.take(tx.responses, 1))
      expect(first.status).toBe(200)
      // The TU's ACK for the 2xx: a new transaction-less request with a new branch (§13.2.2.4).
      const ack = request("ACK", alice.local[0], to)
      yield* alice.layer.sendStateless(ack, to)
      expect(yield* eventually(Effect.sync(() => bob.seen.some((e) => e._tag === "AckReceived")), 3000)).toBe(true)
      expect(yield* eventually(drained(alice.layer), 5000)).toBe(true)
      expect(yield* eventually(drained(bob.layer), 5000)).toBe(true)
    }))

  it.live("UDP: Timer F on a real socket: an OPTIONS to a silent port fails with TransactionTimeout after 64*T1", () =>
    Effect.gen(function*() {
      const alice = yield* liveParty(["udp"], { t1: 10, t2: 40, t4: 50 })
      const silent = yield* liveParty(["udp"], timers) // reads but its TU never answers; it gives up later
      const to = silent.local[0]
      const started = Date.now()
      const tx = yield* alice.layer.sendRequest(request("OPTIONS", alice.local[0], to), to)
      const exit = yield* Effect.exit(Stream.runCollect(tx.responses))
      expect(Exit.isFailure(exit) && JSON.stringify(exit.cause)).toContain("TransactionTimeout")
      expect(Date.now() - started).toBeGreaterThanOrEqual(600)
      expect(silent.seen.filter((e) => e._tag === "RequestReceived").length).toBe(1)
    }))
})
