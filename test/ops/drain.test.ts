/**
 * SIGTERM on the real CLI with `--drain-seconds`: /readyz turns 503 at once, a new call is refused 503
 * with Retry-After, the call in progress runs on (and the process exits as soon as it ends), or, past the
 * deadline, is ended with a BYE the caller sees.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Stream } from "effect"
import { ClientSessionManager, type SessionEvent } from "../../src/index.ts"
import { freePort, startScript } from "../support/example-process.ts"
import { waitForEvent } from "../support/wait-for-event.ts"

const rtpBase = 38000 + 2 * Math.floor(Math.random() * 400)

const startServer = (drainSeconds: number, rtp: number) =>
  Effect.promise(async () => {
    const sipPort = await freePort()
    const httpPort = await freePort()
    const process = await startScript([
      "src/main.ts", "--gc", "incremental", "--host", "127.0.0.1", "--port", String(sipPort),
      "--rtp-ports", `${rtp}-${rtp + 19}`, "--media", "silence", "--http-port", String(httpPort),
      "--drain-seconds", String(drainSeconds)
    ], "listening on")
    return { process, sipPort, httpPort }
  })

const exited = (child: { readonly exitCode: number | null; readonly signalCode: string | null }) =>
  child.exitCode !== null || child.signalCode !== null

const client = ClientSessionManager.layer({
  host: "127.0.0.1", port: 0, rtpPortMin: rtpBase + 40, rtpPortMax: rtpBase + 79, mediaTimeoutMs: 0
})

const collect = Effect.gen(function*() {
  const manager = yield* ClientSessionManager
  const events: Array<SessionEvent> = []
  yield* Stream.runForEach(yield* manager.subscribe, (e) => Effect.sync(() => void events.push(e))).pipe(Effect.forkScoped)
  return { manager, events }
})

describe("--drain-seconds", () => {
  it.live("SIGTERM: not ready, new calls 503, the active call runs on and its end lets the process exit", () =>
    Effect.gen(function*() {
      const { manager, events } = yield* collect
      const server = yield* startServer(20, rtpBase)
      const target = `sip:svc@127.0.0.1:${server.sipPort}`
      const first = yield* manager.call({ target })
      yield* waitForEvent(events, (e) => e._tag === "StateChanged" && e.sessionId === first && e.to === "Active", 20_000)

      server.process.child.kill("SIGTERM")
      yield* Effect.promise(() => server.process.logged(/draining: 1 calls in progress/, 20_000))
      const ready = yield* Effect.promise(() => fetch(`http://127.0.0.1:${server.httpPort}/readyz`))
      expect(ready.status).toBe(503)
      expect(yield* Effect.promise(() => ready.text())).toBe("draining\n")

      const second = yield* manager.call({ target })
      const refused = yield* waitForEvent(events, (e) => e._tag === "CallEnded" && e.sessionId === second, 20_000)
      expect(refused).toMatchObject({ reason: { _tag: "Rejected", status: 503 } })
      expect(exited(server.process.child)).toBe(false)
      expect(yield* manager.state(first)).toBe("Active")

      yield* manager.end(first)
      const code = yield* Effect.promise(() => server.process.stop())
      expect(code).not.toBe("hung")
    }).pipe(Effect.scoped, Effect.provide(client)), 90_000)

  it.live("past the deadline the call left is ended with BYE and the process exits", () =>
    Effect.gen(function*() {
      const { manager, events } = yield* collect
      const server = yield* startServer(1, rtpBase + 20)
      const id = yield* manager.call({ target: `sip:svc@127.0.0.1:${server.sipPort}` })
      yield* waitForEvent(events, (e) => e._tag === "StateChanged" && e.sessionId === id && e.to === "Active", 20_000)
      server.process.child.kill("SIGTERM")
      const ended = yield* waitForEvent(events, (e) => e._tag === "CallEnded" && e.sessionId === id, 20_000)
      expect(ended).toMatchObject({ reason: { _tag: "NormalClearing", by: "remote" } })
      expect(yield* Effect.promise(() => server.process.logged(/drain deadline reached: ending 1 calls with BYE/, 20_000))).toBe(true)
      expect(yield* Effect.promise(() => server.process.stop())).not.toBe("hung")
    }).pipe(Effect.scoped, Effect.provide(client)), 90_000)
})
