/**
 * Overload protection on the real path: the whole server stack on 127.0.0.1, Node's own event-loop
 * utilization as the load signal, and a raw UDP caller. The test saturates the event loop by spinning in it
 * (this process hosts the server), which is what a server past its capacity looks like from inside.
 */
import { performance } from "node:perf_hooks"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { CallDecision, ServerSessionManager } from "../../src/index.ts"
import { rawUdp } from "../transport/support.ts"

const invite = (port: number, me: number, n: number) =>
  `INVITE sip:svc@127.0.0.1:${port} SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:${me};branch=z9hG4bK-load-${n}\r\n` +
  `From: <sip:caller@127.0.0.1>;tag=c${n}\r\nTo: <sip:svc@127.0.0.1>\r\nCall-ID: load-${n}@127.0.0.1\r\n` +
  `CSeq: 1 INVITE\r\nContact: <sip:caller@127.0.0.1:${me}>\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n`

/** Keeps the event loop busy, as a saturated server's is. */
const spin = (ms: number) =>
  Effect.sync(() => {
    const end = performance.now() + ms
    while (performance.now() < end) {
      // busy
    }
  })

describe("overload protection, end to end", () => {
  it.live("while the event loop is saturated a share of new calls is answered 503 with Retry-After; once calm, all are admitted again", () =>
    Effect.gen(function*() {
      const server = yield* ServerSessionManager
      const port = server.local[0].port
      const caller = yield* rawUdp
      /** Sends INVITE n and waits for its final response (skipping 1xx and earlier calls' repeated finals). */
      const call = (n: number) =>
        Effect.gen(function*() {
          yield* caller.send(invite(port, caller.port, n), port)
          while (true) {
            const message = yield* caller.receive(2000)
            if (message === undefined) return "no answer"
            if (message.includes(`Call-ID: load-${n}@`) && !message.startsWith("SIP/2.0 1")) return message
          }
        })
      const status = (message: string) => message.slice(8, 11)

      yield* spin(300)
      expect(status(yield* call(1))).toBe("486") // one saturated window: not yet overload
      yield* spin(300)
      const shed = yield* call(2) // two in a row: half admitted, this one first of the pair
      expect(status(shed)).toBe("503")
      expect(Number(/Retry-After: (\d+)/.exec(shed)?.[1])).toBeGreaterThanOrEqual(1)
      expect(status(yield* call(3))).toBe("486")
      expect(yield* server.rejectedForOverload).toBe(1)

      yield* Effect.sleep(250) // calm windows: a quarter back each
      expect(status(yield* call(4))).toBe("503") // 3/4: the credit of this one is short
      yield* Effect.sleep(250)
      expect(status(yield* call(5))).toBe("486") // all again
      expect(status(yield* call(6))).toBe("486")
      expect(yield* server.rejectedForOverload).toBe(2)
    }).pipe(
      Effect.scoped,
      Effect.provide(ServerSessionManager.layer(() => Effect.succeed(CallDecision.reject(486)), {
        host: "127.0.0.1",
        port: 0,
        mediaTimeoutMs: 0,
        overload: { maxUtilization: 0.9, windowMs: 200, retryAfterSeconds: 1 }
      }))
    ))
})
