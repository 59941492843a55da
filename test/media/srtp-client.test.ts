/**
 * Our client offering SRTP (CallOptions.srtp) to our server: over TLS, RTP/SAVP with SDES keys both ways,
 * the echo decrypted and counted (loss from decrypted packets, nothing dropped); the server's SRTP policy
 * refuses plain RTP when required and SRTP when off (488); keys sent over UDP are logged as a warning.
 */
import { describe, expect, it } from "@effect/vitest"
import { Context, Effect, Layer, Logger, Stream } from "effect"
import { CallDecision, SessionCoordinator, type SessionEvent, SipStack, type SipStackConfig } from "../../src/index.ts"
import { testPki } from "../transport/certs.ts"
import { waitForEvent } from "../support/wait-for-event.ts"

const rtpBase = 58300 + 2 * Math.floor(Math.random() * 100)
const timers = { t1: 50, t2: 400, t4: 500 }

const stack = (rtpMin: number, extra: Partial<SipStackConfig>) =>
  Layer.build(SipStack.layer({
    host: "127.0.0.1", port: 0, rtpPortMin: rtpMin, rtpPortMax: rtpMin + 19, mediaTimeoutMs: 0, timers,
    handler: () => Effect.succeed(CallDecision.accept({ media: { _tag: "Echo" } })),
    defaultMedia: { _tag: "Tone", frequency: 440 },
    ...extra
  }))

const collect = (coordinator: SessionCoordinator["Service"]) =>
  Effect.gen(function*() {
    const events: Array<SessionEvent> = []
    yield* Stream.runForEach(yield* coordinator.subscribe, (e) => Effect.sync(() => void events.push(e))).pipe(Effect.forkScoped)
    return events
  })

const warnings: Array<string> = []
const capture = Logger.make(({ logLevel, message }) => {
  if (logLevel === "Warn") warnings.push(JSON.stringify(message))
})

describe("our client offering SRTP to our server", () => {
  it.live("SRTP over TLS with audio verified; the server's policy gives 488; keys over UDP are warned about", () =>
    Effect.gen(function*() {
      const pki = yield* testPki
      const cert = pki.issue("server", "IP:127.0.0.1")
      const serverCtx = yield* stack(rtpBase, { transports: ["udp", "tls"], tls: { ...cert, port: 0 }, srtp: "required" })
      const server = Context.get(serverCtx, SipStack)
      const tls = server.local.find((l) => l.transport === "tls")!
      const udp = server.local.find((l) => l.transport === "udp")!
      const client = Context.get(
        yield* stack(rtpBase + 20, { transports: ["udp", "tls"], tls: { caFile: pki.caFile } }),
        SessionCoordinator
      )
      const events = yield* collect(client)

      const id = yield* client.call({ target: `sips:echo@127.0.0.1:${tls.port}`, srtp: true })
      yield* waitForEvent(events, (e) => e._tag === "StateChanged" && e.sessionId === id && e.to === "Active")
      yield* Effect.sleep("1 second")
      yield* client.end(id)
      const stopped = yield* waitForEvent(events, (e) => e._tag === "MediaStopped" && e.sessionId === id)
      const stats = (stopped as Extract<SessionEvent, { _tag: "MediaStopped" }>).stats
      // The echo came back under the server's key and decrypted: counted as received, none dropped
      // (srtpDropped is only there for an SRTP stream).
      expect(stats.packetsReceived).toBeGreaterThan(20)
      expect(stats.lossFraction).toBeLessThan(0.05)
      expect(stats.srtpDropped).toBe(0)
      expect(warnings).toEqual([])

      // SRTP required: a plain RTP offer is refused.
      const plain = yield* client.call({ target: `sips:echo@127.0.0.1:${tls.port}` })
      const refused = yield* waitForEvent(events, (e) => e._tag === "CallEnded" && e.sessionId === plain)
      expect(refused).toMatchObject({ reason: { _tag: "Rejected", status: 488 } })

      // Over UDP the key is in the clear: the call works (the server allows it) and we warn.
      const clear = yield* client.call({ target: `sip:echo@127.0.0.1:${udp.port}`, srtp: true })
      yield* waitForEvent(events, (e) => e._tag === "StateChanged" && e.sessionId === clear && e.to === "Active")
      expect(warnings.some((w) => w.includes("SDES key sent over unencrypted signalling"))).toBe(true)
      yield* client.end(clear)
      yield* waitForEvent(events, (e) => e._tag === "CallEnded" && e.sessionId === clear)

      // A server with SRTP off refuses an SRTP-only offer.
      const off = Context.get(yield* stack(rtpBase + 40, { srtp: "off" }), SipStack).local[0].port
      const refusedOff = yield* client.call({ target: `sip:echo@127.0.0.1:${off}`, srtp: true })
      const ended = yield* waitForEvent(events, (e) => e._tag === "CallEnded" && e.sessionId === refusedOff)
      expect(ended).toMatchObject({ reason: { _tag: "Rejected", status: 488 } })
    }).pipe(Effect.scoped, Effect.provide(Logger.layer([capture]))))
})
