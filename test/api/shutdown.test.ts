/**
 * Graceful shutdown (what SIGINT/SIGTERM do to `node dist/main.js`: NodeRuntime interrupts the main
 * fiber and the server's scope closes): an active call is ended with a BYE the peer sees, within a
 * bound, and the server's ports are released so a new server can bind the same SIP port at once.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Layer, Scope, Stream } from "effect"
import { CallDecision, ClientSessionManager, ServerSessionManager, type SessionEvent } from "../../src/index.ts"
import { waitForEvent } from "../support/wait-for-event.ts"

const rtpBase = 35000 + 2 * Math.floor(Math.random() * 2000)
const answerAll = () => Effect.succeed(CallDecision.accept({ media: { _tag: "Silence" } }))
const serverLayer = (port: number) =>
  ServerSessionManager.layer(answerAll, {
    host: "127.0.0.1", port, rtpPortMin: rtpBase, rtpPortMax: rtpBase + 19, mediaTimeoutMs: 0, shutdownTimeoutMs: 2000
  })


describe("graceful shutdown", () => {
  it.live("closing the server ends its active call with BYE and frees the SIP port", () =>
    Effect.gen(function*() {
      const client = yield* ClientSessionManager
      const clientEvents: Array<SessionEvent> = []
      yield* Stream.runForEach(yield* client.subscribe, (e) => Effect.sync(() => void clientEvents.push(e))).pipe(Effect.forkScoped)

      const serverScope = yield* Scope.make()
      const context = yield* Layer.buildWithScope(serverLayer(0), serverScope)
      const server = context.mapUnsafe.get(ServerSessionManager.key) as ServerSessionManager["Service"]
      const port = server.local[0].port

      const id = yield* client.call({ target: `sip:svc@127.0.0.1:${port}` })
      yield* waitForEvent(clientEvents, (e) => e._tag === "StateChanged" && e.sessionId === id && e.to === "Active")
      expect((yield* server.counts).sessions).toBe(1)

      const started = Date.now()
      yield* Scope.close(serverScope, Exit.void)
      const elapsed = Date.now() - started
      const ended = yield* waitForEvent(clientEvents, (e) => e._tag === "CallEnded" && e.sessionId === id)
      expect(ended).toMatchObject({ reason: { _tag: "NormalClearing", by: "remote" } })
      expect(elapsed).toBeLessThan(10_000) // a bound, not a benchmark: shutdownTimeoutMs is 2 s

      // The port is free again: a second server binds it.
      const again = yield* Scope.make()
      const second = yield* Layer.buildWithScope(serverLayer(port), again)
      expect((second.mapUnsafe.get(ServerSessionManager.key) as ServerSessionManager["Service"]).local[0].port).toBe(port)
      yield* Scope.close(again, Exit.void)
    }).pipe(
      Effect.scoped,
      Effect.provide(ClientSessionManager.layer({
        host: "127.0.0.1", port: 0, rtpPortMin: rtpBase + 20, rtpPortMax: rtpBase + 39, mediaTimeoutMs: 0
      }))
    ))
})
