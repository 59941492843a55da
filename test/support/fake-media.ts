/**
 * A MediaEngine that opens no sockets, for coordinator unit tests: it hands out port numbers from a
 * counter, returns them when the call's scope closes, and lets the test inject media events.
 */
import { Effect, Layer, Queue, Stream } from "effect"
import type { MediaEvent, MediaSession, MediaStats } from "../../src/media/media-engine.ts"
import { NetworkError } from "../../src/errors.ts"
import { MediaEngine } from "../../src/media/media-engine.ts"
import type { NegotiatedMedia } from "../../src/sdp/negotiated.ts"

export interface FakeMediaSession extends MediaSession {
  readonly applied: Array<NegotiatedMedia>
  readonly dtmfSent: Array<string>
  readonly inject: (event: MediaEvent) => Effect.Effect<void>
  muted: boolean
}

const zeroStats: MediaStats = {
  packetsSent: 0, bytesSent: 0, packetsReceived: 0, bytesReceived: 0,
  packetsLost: 0, lossFraction: 0, jitterMs: 0, mos: 4.4
}

export const makeFakeMedia = (options: { readonly maxPorts?: number } = {}) =>
  Effect.sync(() => {
    const sessions: Array<FakeMediaSession> = []
    let inUse = 0
    let next = 40000
    const open = Effect.gen(function*() {
      if (inUse >= (options.maxPorts ?? 100)) {
        return yield* new NetworkError({ reason: "PortPoolExhausted", address: "127.0.0.1" })
      }
      const events = yield* Queue.unbounded<MediaEvent>()
      yield* Effect.acquireRelease(Effect.sync(() => inUse++), () => Effect.sync(() => inUse--))
      const session: FakeMediaSession = {
        localAddress: "127.0.0.1",
        localPort: (next += 2),
        applied: [],
        dtmfSent: [],
        muted: false,
        inject: (event) => Queue.offer(events, event).pipe(Effect.asVoid),
        apply: (media) => Effect.sync(() => void session.applied.push(media)),
        setSource: () => Effect.void,
        sendDtmf: (digits) => Effect.sync(() => void session.dtmfSent.push(digits)),
        setMuted: (muted) => Effect.sync(() => { session.muted = muted }),
        recordTo: () => Effect.void,
        stats: Effect.succeed(zeroStats),
        events: Stream.fromQueue(events)
      }
      sessions.push(session)
      return session
    })
    const layer = Layer.succeed(MediaEngine, MediaEngine.of({ open: () => open, portsInUse: Effect.sync(() => inUse) }))
    return { layer, sessions, portsInUse: () => inUse }
  })
