/**
 * Helpers for the tests on real sockets: a TransactionLayer over the real Transport, a tiny TU, and
 * bounded waiting in real time.
 */
import { Effect, Stream } from "effect"
import { makeResponse } from "../../src/sip/index.ts"
import { makeTransactionLayer } from "../../src/transaction/live.ts"
import type { TimerConfig } from "../../src/transaction/config.ts"
import type { TransactionEvent, TransactionLayer } from "../../src/transaction/transaction-layer.ts"
import { makeTransport } from "../../src/transport/live.ts"
import { Transport } from "../../src/transport/transport.ts"

type Layer = TransactionLayer["Service"]

/**
 * The test TU: OPTIONS and other non-INVITE requests get 200, an INVITE gets 180 (and rings until
 * cancelled), a CANCEL makes it answer the INVITE 487 (§9.2).
 */
export const ringingTu = (event: TransactionEvent, layer: Layer): Effect.Effect<void> => {
  switch (event._tag) {
    case "RequestReceived": {
      const { id, request } = event.transaction
      const status = request.method === "INVITE" ? 180 : 200
      return Effect.ignore(layer.respond(id, makeResponse(request, status, undefined, { toTag: "tu-tag" })))
    }
    case "CancelReceived":
      return Effect.ignore(
        layer.respond(event.invite.id, makeResponse(event.invite.request, 487, "Request Terminated", { toTag: "tu-tag" }))
      )
    default:
      return Effect.void
  }
}

/** A TransactionLayer over real sockets on 127.0.0.1 (ephemeral port), its events fed to `tu`. */
export const liveParty = (
  transports: ReadonlyArray<"udp" | "tcp">,
  timers: Partial<TimerConfig>,
  tu?: (event: TransactionEvent, layer: Layer) => Effect.Effect<void>
) =>
  Effect.gen(function*() {
    const transport = yield* makeTransport({ host: "127.0.0.1", port: 0, transports })
    const layer = yield* makeTransactionLayer(timers).pipe(Effect.provideService(Transport, transport))
    const seen: Array<TransactionEvent> = []
    yield* Stream.runForEach(layer.events, (e) =>
      Effect.andThen(Effect.sync(() => seen.push(e)), tu === undefined ? Effect.void : tu(e, layer))).pipe(Effect.forkScoped)
    return { transport, layer, seen, local: transport.local }
  })

/** Polls `check` every 20 ms (real time) until it holds or `timeoutMs` passes; returns whether it held. */
export const eventually = (check: Effect.Effect<boolean>, timeoutMs: number): Effect.Effect<boolean> =>
  Effect.gen(function*() {
    const deadline = Date.now() + timeoutMs
    while (Date.now() < deadline) {
      if (yield* check) return true
      yield* Effect.sleep(20)
    }
    return yield* check
  })

export const drained = (layer: Layer): Effect.Effect<boolean> =>
  Effect.map(layer.counts, (c) => c.client === 0 && c.server === 0)
