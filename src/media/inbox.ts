/**
 * One call's inbound datagrams, from both of its sockets, handed to the session in batches (everything
 * that arrived since the last turn) by one fiber. The fiber starts with the first packet and lives until
 * the call's scope closes, so a call that never receives RTP (most calls of a zero-hold load test) costs
 * no fiber at all. Bounded: beyond RECEIVE_BUFFER waiting datagrams per socket, new ones are dropped, as
 * a full socket buffer would drop them (UDP media is best effort; the loss shows in the peer's RTCP).
 */
import type * as Dgram from "node:dgram"
import { Effect, type Fiber, Scope } from "effect"
import { NetAddress } from "effect/net"
import type { DatagramSocket } from "effect/socket"
import type { PortPair } from "./ports.ts"

type Batch = Array<DatagramSocket.Datagram>

export interface InboundHandlers {
  readonly onRtp: (batch: ReadonlyArray<DatagramSocket.Datagram>) => Effect.Effect<void>
  readonly onRtcp: (batch: ReadonlyArray<DatagramSocket.Datagram>) => Effect.Effect<void>
}

/** Datagrams waiting for the session fiber, per socket. */
const RECEIVE_BUFFER = 256

/** Listens on both sockets of `pair` for as long as `scope` lives. */
export const deliverInbound = (pair: PortPair, handlers: InboundHandlers, scope: Scope.Scope): Effect.Effect<void> =>
  Effect.gen(function*() {
    const services = yield* Effect.context<never>()
    let rtp: Batch = []
    let rtcp: Batch = []
    let wake: (() => void) | undefined
    let fiber: Fiber.Fiber<never> | undefined
    let closed = false

    const waitForMore = Effect.callback<void>((resume) => {
      wake = () => resume(Effect.void)
    })
    const loop: Effect.Effect<never> = Effect.gen(function*() {
      while (true) {
        if (rtp.length === 0 && rtcp.length === 0) yield* waitForMore
        const rtpBatch = rtp
        const rtcpBatch = rtcp
        rtp = []
        rtcp = []
        if (rtpBatch.length > 0) yield* handlers.onRtp(rtpBatch)
        if (rtcpBatch.length > 0) yield* handlers.onRtcp(rtcpBatch)
      }
    })

    const receive = (isRtcp: boolean) => (payload: Buffer, from: Dgram.RemoteInfo): void => {
      if (closed) return
      const queue = isRtcp ? rtcp : rtp
      if (queue.length >= RECEIVE_BUFFER) return
      queue.push({ payload, address: NetAddress.inetAddressFromIpStringUnsafe(from.address, from.port) })
      const resume = wake
      if (resume !== undefined) {
        wake = undefined
        resume()
      } else if (fiber === undefined) {
        fiber = Effect.runForkWith(services)(loop)
      }
    }
    pair.rtp.on("message", receive(false))
    pair.rtcp.on("message", receive(true))

    yield* Scope.addFinalizer(scope, Effect.sync(() => {
      closed = true
      wake = undefined
      fiber?.interruptUnsafe()
    }))
  })
