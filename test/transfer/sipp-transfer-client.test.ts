/**
 * Our transfer against a third-party transferee: SIPp (sipp/transfer_uas.xml) answers our call, takes our
 * REFER (Refer-To and Referred-By checked), answers 202 and NOTIFYs 100 then 200. `transfer` succeeds, the
 * application saw TransferProgress 100 then 200, and our leg ended with BYE.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Stream } from "effect"
import * as Path from "node:path"
import { type SessionEvent, SessionCoordinator, SipStack } from "../../src/index.ts"
import { freePorts, udpBound } from "../api/sipp-ports.ts"
import { runProcess, sippPath } from "../support/run-process.ts"
import { waitForEvent } from "../support/wait-for-event.ts"

const root = Path.resolve(import.meta.dirname, "../..")
const rtpBase = 38000 + 2 * Math.floor(Math.random() * 500)

describe("transfer against SIPp as the transferee", () => {
  it.live("REFER → 202, NOTIFY 100 and 200 answered 200 and reported, then our BYE", () =>
    Effect.gen(function*() {
      const calls = yield* SessionCoordinator
      const seen: Array<SessionEvent> = []
      yield* Stream.runForEach(yield* calls.subscribe, (e) => Effect.sync(() => void seen.push(e))).pipe(Effect.forkScoped)
      const [port, media] = freePorts(2)
      const transferee = runProcess(sippPath, [
        "-sf", Path.join(root, "sipp/transfer_uas.xml"), "-i", "127.0.0.1", "-p", String(port), "-m", "1",
        "-mi", "127.0.0.1", "-mp", String(media), "-timeout", "20s", "-timeout_error", "-nostdin"
      ], 30_000)
      expect(yield* Effect.promise(() => udpBound(port))).toBe(true)
      const id = yield* calls.call({ target: `sip:bob@127.0.0.1:${port}`, media: { _tag: "Silence" } })
      yield* waitForEvent(seen, (e) => e._tag === "StateChanged" && e.sessionId === id && e.to === "Active")
      yield* calls.transfer(id, "sip:carol@127.0.0.1:9")
      const result = yield* Effect.promise(() => transferee)
      expect(result.code, result.output).toBe(0)
      expect(seen.flatMap((e) => e._tag === "TransferProgress" ? [e.status] : [])).toEqual([100, 200])
      expect(yield* waitForEvent(seen, (e) => e._tag === "CallEnded" && e.sessionId === id))
        .toMatchObject({ reason: { _tag: "NormalClearing", by: "local" } })
    }).pipe(
      Effect.scoped,
      Effect.provide(SipStack.layer({
        host: "127.0.0.1", port: 0, rtpPortMin: rtpBase, rtpPortMax: rtpBase + 19, mediaTimeoutMs: 0,
        timers: { t1: 50, t2: 400, t4: 500 }
      }))
    ), 40_000)
})
