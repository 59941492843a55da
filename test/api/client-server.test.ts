/**
 * End to end on 127.0.0.1 with real sockets and real RTP: our client calls our server. The client plays
 * a 440 Hz tone, the server echoes it, the client records what comes back and we check it is that tone;
 * DTMF digits sent by the client arrive as events on the server; afterwards every layer drains to zero:
 * sessions, dialogs, transactions and RTP ports.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer, Stream } from "effect"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { CallDecision, ClientSessionManager, type Counts, ServerSessionManager, type SessionEvent } from "../../src/index.ts"
import { waitForEvent } from "../support/wait-for-event.ts"

const rtpBase = 31000 + 2 * Math.floor(Math.random() * 2000)
/** Short RFC timers (loopback has no real RTT), so lingering transactions end within the test. */
const timers = { t1: 50, t2: 400, t4: 500 }

/** Samples of a 16-bit PCM WAV (data chunk located by its id, not assumed at offset 44). */
const wavSamples = (path: string): Int16Array => {
  const bytes = Fs.readFileSync(path)
  let offset = 12
  while (offset + 8 <= bytes.length) {
    const id = bytes.toString("latin1", offset, offset + 4)
    const size = bytes.readUInt32LE(offset + 4)
    if (id === "data") {
      const data = bytes.subarray(offset + 8, offset + 8 + size)
      return new Int16Array(data.buffer.slice(data.byteOffset, data.byteOffset + (data.length & ~1)))
    }
    offset += 8 + size + (size & 1)
  }
  return new Int16Array(0)
}

/** Dominant frequency by counting rising zero crossings over the loud part of the signal. */
const frequencyOf = (samples: Int16Array, rate = 8000): number => {
  const loud = Array.from(samples).filter((_, i) => i > 0)
  let crossings = 0
  for (let i = 1; i < loud.length; i++) if (loud[i - 1] < 0 && loud[i] >= 0) crossings++
  return (crossings * rate) / loud.length
}


describe("client ↔ server on 127.0.0.1", () => {
  it.live("a call with echoed tone audio, DTMF to the server, and everything released afterwards", () =>
    Effect.gen(function*() {
      const server = yield* ServerSessionManager
      const client = yield* ClientSessionManager
      const serverEvents: Array<SessionEvent> = []
      const clientEvents: Array<SessionEvent> = []
      const collect = (stream: Stream.Stream<SessionEvent>, into: Array<SessionEvent>) =>
        Stream.runForEach(stream, (e) => Effect.sync(() => void into.push(e))).pipe(Effect.forkScoped)
      yield* collect(yield* server.subscribe, serverEvents)
      yield* collect(yield* client.subscribe, clientEvents)

      const port = server.local[0].port
      const id = yield* client.call({ target: `sip:echo@127.0.0.1:${port}` })
      yield* waitForEvent(clientEvents, (e) => e._tag === "StateChanged" && e.sessionId === id && e.to === "Active")
      const wav = Path.join(Fs.mkdtempSync(Path.join(Os.tmpdir(), "effect-sip-")), "echo.wav")
      yield* client.record(id, wav)
      yield* Effect.sleep("300 millis")
      yield* client.sendDtmf(id, "12#")
      yield* waitForEvent(serverEvents, (e) => e._tag === "DtmfReceived" && e.digit === "#")
      yield* Effect.sleep("1 second")
      yield* client.end(id)
      const stopped = yield* waitForEvent(clientEvents, (e) => e._tag === "MediaStopped" && e.sessionId === id)
      yield* waitForEvent(serverEvents, (e) => e._tag === "CallEnded")

      expect(serverEvents.filter((e) => e._tag === "DtmfReceived").map((e) => (e as { digit: string }).digit)).toEqual(["1", "2", "#"])
      const stats = (stopped as Extract<SessionEvent, { _tag: "MediaStopped" }>).stats
      expect(stats.packetsSent).toBeGreaterThan(40)
      expect(stats.packetsReceived).toBeGreaterThan(20)
      expect(stats.lossFraction).toBeLessThan(0.05)

      // The call's scope closes just after CallEnded: its ports return and the recorder writes its header.
      // Transactions linger for their absorb timers (J, K, L: 64*T1 with the short T1 below), then go too.
      const idle = (c: Counts) =>
        c.sessions + c.dialogs + c.pendingInvites + c.clientTransactions + c.serverTransactions + c.rtpPorts === 0
      for (const manager of [client, server]) {
        for (let i = 0; i < 300 && !idle(yield* manager.counts); i++) yield* Effect.sleep("20 millis")
        expect(yield* manager.counts).toEqual({
          sessions: 0, dialogs: 0, pendingInvites: 0, clientTransactions: 0, serverTransactions: 0, rtpPorts: 0
        })
      }
      const samples = wavSamples(wav)
      expect(samples.length).toBeGreaterThan(8000 / 2)
      expect(Math.abs(frequencyOf(samples) - 440)).toBeLessThan(30)
    }).pipe(
      Effect.scoped,
      Effect.provide(Layer.mergeAll(
        ServerSessionManager.layer(() => Effect.succeed(CallDecision.accept({ media: { _tag: "Echo" } })), {
          host: "127.0.0.1", port: 0, rtpPortMin: rtpBase, rtpPortMax: rtpBase + 19, mediaTimeoutMs: 0, timers
        }),
        ClientSessionManager.layer({
          host: "127.0.0.1", port: 0, rtpPortMin: rtpBase + 20, rtpPortMax: rtpBase + 39, mediaTimeoutMs: 0, timers,
          defaultMedia: { _tag: "Tone", frequency: 440 }
        })
      ))
    ))
})
