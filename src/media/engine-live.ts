/**
 * The real MediaEngine: a port pool over the configured range, and per `open` a socket pair and an
 * RtpSession whose read loops live in the caller's Scope.
 */
import { Effect, type Scope } from "effect"
import type { DatagramSocket } from "effect/socket"
import type { NetworkError } from "../errors.ts"
import type { MediaConfig, MediaEngine, MediaSource } from "./media-engine.ts"
import { PortPool } from "./port-pool.ts"
import { type BoundSocket, openPortPair, type PortPair } from "./ports.ts"
import { makeRtpSession, type RtpSession, type Wire } from "./rtp-session.ts"

const socketWire = (pair: PortPair): Wire => {
  const write = (socket: BoundSocket, payload: Uint8Array, address: Parameters<Wire["sendRtp"]>[1]) =>
    // UDP is best effort (RFC 3550 §2): a send error is a lost packet, not a failed call.
    Effect.ignore(socket.writer.write({ payload, address }))
  return {
    sendRtp: (packet, target) => write(pair.rtp, packet, target),
    sendRtcp: (packet, target, muxed) => write(muxed ? pair.rtp : pair.rtcp, packet, target)
  }
}

/** Pull batches for as long as the scope lives; the read loop ends when the socket closes. */
const readLoop = (
  socket: BoundSocket,
  handle: (batch: ReadonlyArray<DatagramSocket.Datagram>) => Effect.Effect<void>
): Effect.Effect<void> =>
  Effect.gen(function*() {
    while (true) yield* handle(yield* socket.reader.pull)
  }).pipe(Effect.catch((error) => Effect.logDebug(`media socket closed: ${error.message}`)))

export const makeMediaEngine = (config: MediaConfig): Effect.Effect<MediaEngine["Service"]> =>
  Effect.sync(() => {
    const pool = new PortPool(config.portMin, config.portMax)
    // A wildcard bind is no address to put in c= (0.0.0.0 would even mean hold, RFC 3264 §8.4).
    const wildcard = config.host === "0.0.0.0" || config.host === "::"
    const localAddress = config.advertisedHost ?? (wildcard ? "127.0.0.1" : config.host)

    const open = (source: MediaSource): Effect.Effect<RtpSession, NetworkError, Scope.Scope> =>
      Effect.gen(function*() {
        const scope = yield* Effect.scope
        const pair = yield* openPortPair(pool, config.host)
        const session = yield* makeRtpSession({
          localAddress,
          localPort: pair.port,
          source,
          mediaTimeoutMs: config.mediaTimeoutMs,
          wire: socketWire(pair),
          scope
        })
        yield* Effect.forkIn(readLoop(pair.rtp, session.onRtp), scope)
        yield* Effect.forkIn(readLoop(pair.rtcp, session.onRtcp), scope)
        return session
      })

    return { open, portsInUse: Effect.sync(() => pool.inUse) }
  })
