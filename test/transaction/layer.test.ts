import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Layer, Stream } from "effect"
import { makeResponse } from "../../src/sip/index.ts"
import type { SipRequest } from "../../src/sip/message.ts"
import { TransactionLive } from "../../src/transaction/live.ts"
import { TransactionLayer } from "../../src/transaction/transaction-layer.ts"
import { FakeNetwork } from "../../src/transport/fake.ts"
import { rawPeer, request, settle, summary, watch } from "./support.ts"

// The wiring an application uses: TransactionLive.layer over one endpoint of a shared FakeNetwork.
const network = FakeNetwork.layer({ seed: 2 })
const alice = TransactionLive.layer({ t1: 100 }).pipe(
  Layer.provide(FakeNetwork.transport({ host: "10.0.0.1", port: 5060, transports: ["udp", "tcp"] }))
)
const wired = Layer.provideMerge(alice, network)

describe("TransactionLive.layer", () => {
  it.effect("requires a Transport, exposes its local endpoints, and runs a transaction end to end", () =>
    Effect.gen(function*() {
      const layer = yield* TransactionLayer
      expect(layer.local).toEqual([
        { transport: "udp", host: "10.0.0.1", port: 5060 },
        { transport: "tcp", host: "10.0.0.1", port: 5060 }
      ])
      const bob = yield* rawPeer(yield* FakeNetwork, "10.0.0.2", 5060)
      const w = yield* watch(yield* layer.sendRequest(request("OPTIONS", layer.local[0], bob.udp), bob.udp))
      yield* settle
      const options = (yield* bob.inbox.takeAll)[0].message as SipRequest
      yield* bob.send(makeResponse(options, 200, "OK", { toTag: "b" }), layer.local[0])
      yield* settle
      expect(w.statuses()).toEqual([200])
      expect(yield* layer.counts).toEqual({ client: 1, server: 0 })
    }).pipe(Effect.provide(wired)))

  it.effect("sendRequest of an ACK sends it outside any transaction: its response stream is empty and ends at once", () =>
    Effect.gen(function*() {
      const layer = yield* TransactionLayer
      const bob = yield* rawPeer(yield* FakeNetwork, "10.0.0.2", 5060)
      const tx = yield* layer.sendRequest(request("ACK", layer.local[0], bob.udp), bob.udp)
      expect(yield* Stream.runCollect(tx.responses)).toEqual([])
      yield* settle
      expect(summary(yield* bob.inbox.takeAll)).toEqual(["ACK"])
      expect(yield* layer.counts).toEqual({ client: 0, server: 0 })
    }).pipe(Effect.provide(wired)))

  it.effect("sendStateless sends a request or response as is, with no transaction", () =>
    Effect.gen(function*() {
      const layer = yield* TransactionLayer
      const bob = yield* rawPeer(yield* FakeNetwork, "10.0.0.2", 5060)
      const exit = yield* Effect.exit(layer.sendStateless(request("ACK", layer.local[0], bob.udp), bob.udp))
      expect(exit).toEqual(Exit.void)
      yield* settle
      expect(summary(yield* bob.inbox.takeAll)).toEqual(["ACK"])
      expect(yield* layer.counts).toEqual({ client: 0, server: 0 })
    }).pipe(Effect.provide(wired)))
})
