/**
 * The live MediaEngine: a port pool over the configured range, with spare pairs bound ahead (ports.ts), and
 * per `open` a socket pair and an RtpSession, both owned by the caller's Scope.
 */
import { Effect, Layer, type Scope } from "effect"
import { NetAddress } from "effect/net"
import type { NetworkError } from "../errors.ts"
import { isWildcard } from "../net/address.ts"
import { deliverInbound } from "./inbox.ts"
import type { MediaConfig } from "./config.ts"
import { MediaEngine, type MediaSource } from "./media-engine.ts"
import { PortPool } from "./port-pool.ts"
import { makeSparePairs, openPortPair, type PortPair, type SparePairs } from "./ports.ts"
import { makeRtpSession, type RtpSession, type Wire } from "./rtp-session.ts"
import type { Target } from "./session-state.ts"

const socketWire = (pair: PortPair): Wire => {
  // Every packet of a call goes to the same one or two targets: format each host once.
  let last: NetAddress.InetAddress | undefined
  let lastHost = ""
  const hostOf = (address: NetAddress.InetAddress): string => {
    if (address !== last) {
      last = address
      lastHost = NetAddress.formatIp(address.address)
    }
    return lastHost
  }
  const write = (socket: PortPair["rtp"], payload: Uint8Array, target: Target) =>
    Effect.sync(() => {
      const address = "payload" in target ? target.address : target
      pair.send(socket, payload, address.port, hostOf(address))
    })
  return {
    sendRtp: (packet, target) => write(pair.rtp, packet, target),
    sendRtcp: (packet, target, muxed) => write(muxed ? pair.rtp : pair.rtcp, packet, target)
  }
}

// One generator function for every call, made once here (see bench/pinned-calls.ts for why).
const openSession = Effect.fnUntraced(function*(
  pool: PortPool,
  spares: SparePairs,
  engine: Scope.Scope,
  config: MediaConfig,
  localAddress: string,
  source: MediaSource
) {
  const scope = yield* Effect.scope
  const pair = yield* openPortPair(pool, config.host, spares, engine)
  const session = yield* makeRtpSession({
    localAddress,
    localPort: pair.port,
    source,
    mediaTimeoutMs: config.mediaTimeoutMs,
    wire: socketWire(pair),
    scope
  })
  yield* deliverInbound(pair, session, scope)
  return session
})

export const makeMediaEngine = (config: MediaConfig): Effect.Effect<MediaEngine["Service"], never, Scope.Scope> =>
  Effect.gen(function*() {
    const engine = yield* Effect.scope
    const pool = new PortPool(config.portMin, config.portMax)
    const spares = yield* makeSparePairs(pool)
    // A wildcard bind is no address to put in c= (0.0.0.0 would even mean hold, RFC 3264 §8.4).
    const localAddress = config.advertisedHost ?? (isWildcard(config.host) ? "127.0.0.1" : config.host)

    const open = (source: MediaSource): Effect.Effect<RtpSession, NetworkError, Scope.Scope> =>
      openSession(pool, spares, engine, config, localAddress, source)

    return { open, portsInUse: Effect.sync(() => pool.inUse - spares.ready.length) }
  })

export const MediaLive = {
  /** RTP over UDP on `config.host`, ports from `config.portMin..portMax`. */
  layer: (config: MediaConfig): Layer.Layer<MediaEngine> => Layer.effect(MediaEngine, makeMediaEngine(config))
}
