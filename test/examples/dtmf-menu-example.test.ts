/**
 * examples/dtmf-menu-server.ts, run as its own process, called by our own client: the client presses
 * 4, 2, # (RFC 4733 over real RTP), the example reports "entered 42" and hangs up, and the client sees
 * the call cleared by the remote side.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Stream } from "effect"
import { ClientSessionManager, type SessionEvent } from "../../src/index.ts"
import { freePort, startExample } from "../support/example-process.ts"
import { waitForEvent } from "../support/wait-for-event.ts"

const rtpBase = 41000 + 2 * Math.floor(Math.random() * 1000)


describe("examples/dtmf-menu-server.ts", () => {
  it.live("collects the digits before # and hangs up", () =>
    Effect.gen(function*() {
      const port = yield* Effect.promise(freePort)
      const example = yield* Effect.acquireRelease(
        Effect.promise(() => startExample("dtmf-menu-server.ts", port, "dtmf menu listening on")),
        (running) => Effect.promise(() => running.stop())
      )
      const client = yield* ClientSessionManager
      const events: Array<SessionEvent> = []
      yield* Stream.runForEach(yield* client.subscribe, (e) => Effect.sync(() => void events.push(e))).pipe(Effect.forkScoped)
      const id = yield* client.call({ target: `sip:menu@127.0.0.1:${port}` })
      yield* waitForEvent(events, (e) => e._tag === "StateChanged" && e.sessionId === id && e.to === "Active")
      yield* Effect.sleep("200 millis")
      yield* client.sendDtmf(id, "42#")
      const ended = yield* waitForEvent(events, (e) => e._tag === "CallEnded" && e.sessionId === id)
      expect(ended).toMatchObject({ reason: { _tag: "NormalClearing", by: "remote" } })
      expect(yield* Effect.promise(() => example.logged(/entered 42\b/)), example.log()).toBe(true)
    }).pipe(
      Effect.scoped,
      Effect.provide(ClientSessionManager.layer({
        host: "127.0.0.1", port: 0, rtpPortMin: rtpBase, rtpPortMax: rtpBase + 19, mediaTimeoutMs: 0
      }))
    ))
})
