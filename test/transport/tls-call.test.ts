/**
 * Calls over TLS end to end: our client places `sips:` to our server, verifying the server's certificate
 * against a CA made at test time; signalling goes over TLS, media flows; calls ended by each side, a
 * CANCEL, and an OPTIONS from a plain node:tls peer.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Layer, Stream } from "effect"
import * as Fs from "node:fs"
import * as Tls from "node:tls"
import { CallDecision, ClientSessionManager, ServerSessionManager, type SessionEvent } from "../../src/index.ts"
import { waitForEvent } from "../support/wait-for-event.ts"
import { testPki } from "./certs.ts"

const rtpBase = 58600 + 2 * Math.floor(Math.random() * 150)
const timers = { t1: 50, t2: 400, t4: 500 }

describe("a call over TLS (sips:)", () => {
  it.live("over TLS: audio both ways, a call ended by each side, a CANCEL, and OPTIONS", () =>
    Effect.gen(function*() {
      const pki = yield* testPki
      const cert = pki.issue("server", "IP:127.0.0.1")
      const calls = Effect.gen(function*() {
        const server = yield* ServerSessionManager
        const client = yield* ClientSessionManager
        const serverEvents: Array<SessionEvent> = []
        const clientEvents: Array<SessionEvent> = []
        const collect = (stream: Stream.Stream<SessionEvent>, into: Array<SessionEvent>) =>
          Stream.runForEach(stream, (e) => Effect.sync(() => void into.push(e))).pipe(Effect.forkScoped)
        yield* collect(yield* server.subscribe, serverEvents)
        yield* collect(yield* client.subscribe, clientEvents)
        const tls = server.local.find((l) => l.transport === "tls")!
        const id = yield* client.call({ target: `sips:echo@127.0.0.1:${tls.port}` })
        yield* waitForEvent(clientEvents, (e) => e._tag === "StateChanged" && e.sessionId === id && e.to === "Active")
        yield* Effect.sleep("1 second")
        yield* client.end(id)
        const stopped = yield* waitForEvent(clientEvents, (e) => e._tag === "MediaStopped" && e.sessionId === id)
        const ended = yield* waitForEvent(serverEvents, (e) => e._tag === "CallEnded")
        expect(ended).toMatchObject({ reason: { _tag: "NormalClearing", by: "remote" } })
        const stats = (stopped as Extract<SessionEvent, { _tag: "MediaStopped" }>).stats
        expect(stats.packetsReceived).toBeGreaterThan(20)
        expect(stats.lossFraction).toBeLessThan(0.05)

        // Ended by the server: its BYE reaches our client, which has no TLS listener, over the client's own
        // connection (RFC 5923 alias in the client's Via).
        const second = yield* client.call({ target: `sips:echo@127.0.0.1:${tls.port}` })
        yield* waitForEvent(clientEvents, (e) => e._tag === "StateChanged" && e.sessionId === second && e.to === "Active")
        const serverSide = serverEvents.filter((e) => e._tag === "IncomingCall").at(-1)!
        yield* server.end(serverSide.sessionId)
        const byServer = yield* waitForEvent(clientEvents, (e) => e._tag === "CallEnded" && e.sessionId === second)
        expect(byServer).toMatchObject({ reason: { _tag: "NormalClearing", by: "remote" } })

        // CANCEL over TLS: a call still ringing, ended by the caller.
        const third = yield* client.call({ target: `sips:ring@127.0.0.1:${tls.port}` })
        yield* waitForEvent(clientEvents, (e) => e._tag === "StateChanged" && e.sessionId === third && e.to === "Ringing")
        yield* client.end(third)
        yield* waitForEvent(clientEvents, (e) => e._tag === "CallEnded" && e.sessionId === third)
        const cancelled = serverEvents.filter((e) => e._tag === "IncomingCall").at(-1)!.sessionId
        yield* waitForEvent(serverEvents, (e) => e._tag === "CallEnded" && e.sessionId === cancelled)

        // OPTIONS over TLS from a plain node:tls peer, verifying our certificate, answered 200 on its connection.
        const answer = yield* Effect.promise(() =>
          new Promise<string>((resolve, reject) => {
            const socket = Tls.connect({ host: "127.0.0.1", port: tls.port, ca: Fs.readFileSync(pki.caFile) }, () => {
              socket.write([
                `OPTIONS sips:127.0.0.1:${tls.port} SIP/2.0`, `Via: SIP/2.0/TLS 127.0.0.1:5061;branch=z9hG4bK-tls-opt`,
                "Max-Forwards: 70", "From: <sips:probe@127.0.0.1>;tag=o", "To: <sips:127.0.0.1>", "Call-ID: tls-options",
                "CSeq: 1 OPTIONS", "Content-Length: 0", "", ""
              ].join("\r\n"))
            })
            let text = ""
            socket.on("data", (chunk) => {
              text += chunk.toString()
              if (text.includes("\r\n\r\n")) {
                socket.destroy()
                resolve(text)
              }
            })
            socket.on("error", reject)
          })
        )
        expect(answer.startsWith("SIP/2.0 200 OK\r\n")).toBe(true)
      }).pipe(Effect.scoped)
      yield* calls.pipe(Effect.provide(Layer.mergeAll(
        ServerSessionManager.layer((call) =>
          Effect.succeed(
            call.calleeUri.startsWith("sips:ring@")
              ? CallDecision.accept({ mode: "ring", delayMs: 10_000 })
              : CallDecision.accept({ media: { _tag: "Echo" } })
          ), {
          host: "127.0.0.1", port: 0, transports: ["udp", "tls"], tls: { ...cert, port: 0 },
          rtpPortMin: rtpBase, rtpPortMax: rtpBase + 19, mediaTimeoutMs: 0, timers
        }),
        ClientSessionManager.layer({
          host: "127.0.0.1", port: 0, transports: ["udp", "tls"], tls: { caFile: pki.caFile },
          rtpPortMin: rtpBase + 20, rtpPortMax: rtpBase + 39, mediaTimeoutMs: 0, timers,
          defaultMedia: { _tag: "Tone", frequency: 440 }
        })
      )))
    }))
})
