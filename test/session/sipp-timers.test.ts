/**
 * Session timers (RFC 4028) against real SIPp on 127.0.0.1, on a stack whose Min-SE is 2 s so that an
 * expiry happens within the test: the peer's session expiring unrefreshed (our BYE), our UPDATE refreshes
 * at half the interval, 422 then the caller's retry, and as the caller: a 422 retried with its Min-SE.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer, Stream } from "effect"
import * as Path from "node:path"
import { CallDecision } from "../../src/session/call-decision.ts"
import { DialogLive } from "../../src/dialog/live.ts"
import { MediaLive } from "../../src/media/live.ts"
import { SessionCoordinatorLive } from "../../src/session/live.ts"
import { SessionCoordinator } from "../../src/session/session-coordinator.ts"
import type { SessionEvent } from "../../src/session/session-events.ts"
import { TransactionLive } from "../../src/transaction/live.ts"
import { Transport } from "../../src/transport/transport.ts"
import { TransportLive } from "../../src/transport/live.ts"
import { runProcess, runSipp, sippPath } from "../support/run-process.ts"
import { waitForEvent } from "../support/wait-for-event.ts"
import { freePorts, udpBound } from "../api/sipp-ports.ts"

const root = Path.resolve(import.meta.dirname, "../..")
const rtpBase = 54800 + 2 * Math.floor(Math.random() * 40)
let slot = 0

/** Transport → transactions → dialogs → coordinator with media beside, Min-SE 2 s, answering every call. */
const stack = () => {
  const ports = rtpBase + 20 * (slot++ % 4)
  const timers = { t1: 50, t2: 400, t4: 500 }
  const transport = TransportLive.layer({ host: "127.0.0.1", port: 0, transports: ["udp"] })
  const transactions = TransactionLive.layer(timers).pipe(Layer.provideMerge(transport))
  const dialogs = DialogLive.layer({ contactHost: "127.0.0.1", timers }).pipe(Layer.provideMerge(transactions))
  const media = MediaLive.layer({ host: "127.0.0.1", portMin: ports, portMax: ports + 19, mediaTimeoutMs: 0 })
  return SessionCoordinatorLive.layer({
    codecs: ["PCMU", "PCMA"], defaultMedia: { _tag: "Silence" }, maxCalls: 10, busyStatus: 486,
    handler: () => Effect.succeed(CallDecision.accept()), shutdownTimeoutMs: 1000, ringTimeoutMs: 0,
    localUri: "<sip:effect-sip@127.0.0.1>", minSessionExpiresSeconds: 2
  }).pipe(Layer.provideMerge(Layer.merge(dialogs, media)))
}

const collect = Effect.gen(function*() {
  const calls = yield* SessionCoordinator
  const seen: Array<SessionEvent> = []
  yield* Stream.runForEach(yield* calls.subscribe, (e) => Effect.sync(() => void seen.push(e))).pipe(Effect.forkScoped)
  return { calls, seen }
})

/** SIPp calls us with `scenario`; its verdict and the call's end. */
const callUs = (scenario: string) =>
  Effect.gen(function*() {
    const { seen } = yield* collect
    const port = (yield* Transport).local[0]!.port
    const [sippPort, media] = freePorts(2)
    const result = yield* runSipp([
      `127.0.0.1:${port}`, "-sf", Path.join(root, "sipp", scenario), "-s", "service", "-m", "1",
      "-i", "127.0.0.1", "-p", String(sippPort), "-mi", "127.0.0.1", "-mp", String(media),
      "-timeout", "20s", "-timeout_error", "-nostdin"
    ], 30_000)
    expect(result.code, result.output).toBe(0)
    return seen
  })

describe("session timers against SIPp", () => {
  it.live("the caller refreshes (refresher=uac) but never does: we BYE when the session expires; ended SessionExpired", () =>
    Effect.gen(function*() {
      const seen = yield* callUs("session_timer_expiry.xml")
      expect(yield* waitForEvent(seen, (e) => e._tag === "CallEnded")).toMatchObject({ reason: { _tag: "SessionExpired" } })
    }).pipe(Effect.scoped, Effect.provide(stack())), 40_000)

  it.live("we refresh (refresher=uas): an UPDATE with Session-Expires every half interval, the call goes on", () =>
    Effect.gen(function*() {
      const seen = yield* callUs("session_timer_refresh_uas.xml")
      expect(yield* waitForEvent(seen, (e) => e._tag === "CallEnded")).toMatchObject({ reason: { _tag: "NormalClearing", by: "remote" } })
    }).pipe(Effect.scoped, Effect.provide(stack())), 40_000)

  it.live("a Session-Expires below our Min-SE gets 422 with Min-SE; the caller's retry is answered", () =>
    Effect.gen(function*() {
      const seen = yield* callUs("session_timer_422.xml")
      expect(seen.filter((e) => e._tag === "IncomingCall").length).toBe(1)
      expect(yield* waitForEvent(seen, (e) => e._tag === "CallEnded")).toMatchObject({ reason: { _tag: "NormalClearing", by: "remote" } })
    }).pipe(Effect.scoped, Effect.provide(stack())), 40_000)

  it.live("as the caller: a 422 is retried asking for its Min-SE, then the call is answered", () =>
    Effect.gen(function*() {
      const { calls, seen } = yield* collect
      const [port, media] = freePorts(2)
      const callee = runProcess(sippPath, [
        "-sf", Path.join(root, "sipp/client/session_timer_422.xml"), "-i", "127.0.0.1", "-p", String(port), "-m", "1",
        "-mi", "127.0.0.1", "-mp", String(media), "-timeout", "20s", "-timeout_error", "-nostdin"
      ], 30_000)
      expect(yield* Effect.promise(() => udpBound(port))).toBe(true)
      const id = yield* calls.call({ target: `sip:bob@127.0.0.1:${port}` })
      yield* waitForEvent(seen, (e) => e._tag === "StateChanged" && e.to === "Active")
      yield* calls.end(id)
      const result = yield* Effect.promise(() => callee)
      expect(result.code, result.output).toBe(0)
    }).pipe(Effect.scoped, Effect.provide(stack())), 40_000)
})
