/**
 * Helpers for the media tests: negotiated-media values, a random port base per test file (so parallel
 * test files and other engineers' tests do not collide), a raw node:dgram peer, and an in-memory Wire.
 */
import { createSocket, type Socket } from "node:dgram"
import { Effect } from "effect"
import type { NegotiatedMedia } from "../../src/sdp/negotiated.ts"
import type { Target } from "../../src/media/session-state.ts"
import type { Wire } from "../../src/media/rtp-session.ts"

export const negotiated = (remotePort: number, overrides: Partial<NegotiatedMedia> = {}): NegotiatedMedia => ({
  remoteAddress: "127.0.0.1",
  remotePort,
  remoteRtcpPort: remotePort + 1,
  rtcpMux: false,
  codec: { payloadType: 0, name: "PCMU", clockRate: 8000 },
  codecs: [{ payloadType: 0, name: "PCMU", clockRate: 8000 }, { payloadType: 8, name: "PCMA", clockRate: 8000 }],
  telephoneEvent: { payloadType: 101, clockRate: 8000 },
  ptime: 20,
  direction: "sendrecv",
  remoteHold: false,
  ...overrides
})

/** An even base in 32000..59000, different per call: each test file takes its own slice. */
export const randomBase = (): number => 32000 + 2 * Math.floor(Math.random() * 13500)

export interface Sent {
  readonly packet: Uint8Array
  readonly target: Target
  readonly rtcp: boolean
}

/** A Wire that remembers what the session sent. */
export const memoryWire = (): { readonly wire: Wire; readonly sent: Array<Sent> } => {
  const sent: Array<Sent> = []
  const wire: Wire = {
    sendRtp: (packet, target) => Effect.sync(() => void sent.push({ packet: Uint8Array.from(packet), target, rtcp: false })),
    sendRtcp: (packet, target) => Effect.sync(() => void sent.push({ packet: Uint8Array.from(packet), target, rtcp: true }))
  }
  return { wire, sent }
}

export interface RawPeer {
  readonly port: number
  readonly received: Array<{ readonly bytes: Buffer; readonly port: number }>
  readonly send: (bytes: Uint8Array, port: number) => Effect.Effect<void>
  readonly socket: Socket
}

/** A plain UDP socket on 127.0.0.1 (an ephemeral port), closed with the test's scope. */
export const rawPeer = (port = 0): Effect.Effect<RawPeer, Error, import("effect").Scope.Scope> =>
  Effect.acquireRelease(
    Effect.callback<RawPeer, Error>((resume) => {
      const socket = createSocket("udp4")
      const received: Array<{ bytes: Buffer; port: number }> = []
      socket.on("message", (bytes, info) => void received.push({ bytes, port: info.port }))
      socket.once("error", (error) => resume(Effect.fail(error)))
      socket.bind(port, "127.0.0.1", () =>
        resume(Effect.succeed({
          port: socket.address().port,
          received,
          socket,
          send: (bytes, to) =>
            Effect.callback<void>((done) => socket.send(bytes, to, "127.0.0.1", () => done(Effect.void)))
        })))
    }),
    (peer) => Effect.sync(() => peer.socket.close())
  )

/** Wait (live) until `check` holds, polling every 10 ms, at most `ms`. */
export const eventually = (check: () => boolean, ms = 3000): Effect.Effect<boolean> =>
  Effect.gen(function*() {
    const until = Date.now() + ms
    while (!check()) {
      if (Date.now() > until) return false
      yield* Effect.sleep(10)
    }
    return true
  })
