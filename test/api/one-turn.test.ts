/**
 * The server's stack runs on the CascadeScheduler (src/cascade-scheduler.ts): a request climbs transport →
 * transactions → dialogs → sessions and its answer goes out within one event-loop turn. On Effect's default
 * scheduler each of those hand-offs waits for a turn of its own. Measured here with a raw UDP client on
 * 127.0.0.1 and a setImmediate ticker that counts the turns between an OPTIONS and its 200.
 */
import * as Dgram from "node:dgram"
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { CallDecision, ServerSessionManager } from "../../src/index.ts"

const rtpBase = 36000 + 2 * Math.floor(Math.random() * 1500)

const options = (port: number, me: number, n: number) =>
  `OPTIONS sip:svc@127.0.0.1:${port} SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:${me};branch=z9hG4bK-turns-${n}\r\n` +
  `From: <sip:probe@127.0.0.1>;tag=t${n}\r\nTo: <sip:svc@127.0.0.1>\r\nCall-ID: turns-${n}@127.0.0.1\r\n` +
  `CSeq: 1 OPTIONS\r\nMax-Forwards: 70\r\nContent-Length: 0\r\n\r\n`

describe("the server stack's scheduling", () => {
  it.live("an OPTIONS is answered within the turn it was read in", () =>
    Effect.gen(function*() {
      const server = yield* ServerSessionManager
      const port = server.local[0].port
      const socket = yield* Effect.acquireRelease(
        Effect.promise(() =>
          new Promise<Dgram.Socket>((resolve) => {
            const created = Dgram.createSocket("udp4")
            created.bind(0, "127.0.0.1", () => resolve(created))
          })
        ),
        (socket) => Effect.sync(() => socket.close())
      )
      const me = socket.address().port
      const answers: Array<{ readonly text: string; readonly turns: number }> = []
      for (let n = 0; n < 20; n++) {
        answers.push(yield* Effect.promise(() =>
          new Promise<{ text: string; turns: number }>((resolve) => {
            let turns = 0
            let counting = true
            const tick = (): void => {
              turns++
              if (counting) setImmediate(tick)
            }
            socket.once("message", (message) => {
              counting = false
              resolve({ text: message.toString("latin1"), turns })
            })
            setImmediate(tick)
            socket.send(options(port, me, n), port, "127.0.0.1")
          })
        ))
      }
      for (const { text } of answers) expect(text).toMatch(/^SIP\/2\.0 200 /)
      const turnsPerAnswer = answers.map(({ turns }) => turns)
      // The ticker sees the turn that reads the OPTIONS (and answers it) and the one that reads the 200:
      // 2 each time here, 4 on Effect's default scheduler.
      expect(turnsPerAnswer.every((turns) => turns <= 2)).toBe(true)
    }).pipe(
      Effect.scoped,
      Effect.provide(ServerSessionManager.layer(() => Effect.succeed(CallDecision.reject(486)), {
        host: "127.0.0.1", port: 0, rtpPortMin: rtpBase, rtpPortMax: rtpBase + 19, mediaTimeoutMs: 0
      }))
    ))
})
