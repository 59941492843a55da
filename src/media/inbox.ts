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

/** One call's waiting datagrams and its delivering fiber (started by the first datagram). */
interface Inbox {
  rtp: Batch
  rtcp: Batch
  wake: (() => void) | undefined
  fiber: Fiber.Fiber<never> | undefined
  closed: boolean
}

// Module-level generator functions, one for every call (see bench/pinned-calls.ts for why).
const drain = Effect.fnUntraced(function*(inbox: Inbox, handlers: InboundHandlers) {
  while (true) {
    if (inbox.rtp.length === 0 && inbox.rtcp.length === 0) {
      yield* Effect.callback<void>((resume) => {
        inbox.wake = () => resume(Effect.void)
      })
    }
    const rtpBatch = inbox.rtp
    const rtcpBatch = inbox.rtcp
    inbox.rtp = []
    inbox.rtcp = []
    if (rtpBatch.length > 0) yield* handlers.onRtp(rtpBatch)
    if (rtcpBatch.length > 0) yield* handlers.onRtcp(rtcpBatch)
  }
})

/** Listens on both sockets of `pair` for as long as `scope` lives. */
export const deliverInbound = Effect.fnUntraced(function*(pair: PortPair, handlers: InboundHandlers, scope: Scope.Scope) {
  const services = yield* Effect.context<never>()
  const inbox: Inbox = { rtp: [], rtcp: [], wake: undefined, fiber: undefined, closed: false }
  const receive = (isRtcp: boolean) => (payload: Buffer, from: Dgram.RemoteInfo): void => {
    if (inbox.closed) return
    const queue = isRtcp ? inbox.rtcp : inbox.rtp
    if (queue.length >= RECEIVE_BUFFER) return
    queue.push({ payload, address: NetAddress.inetAddressFromIpStringUnsafe(from.address, from.port) })
    const resume = inbox.wake
    if (resume !== undefined) {
      inbox.wake = undefined
      resume()
    } else if (inbox.fiber === undefined) {
      inbox.fiber = Effect.runForkWith(services)(drain(inbox, handlers))
    }
  }
  pair.rtp.on("message", receive(false))
  pair.rtcp.on("message", receive(true))

  yield* Scope.addFinalizer(scope, Effect.sync(() => {
    inbox.closed = true
    inbox.wake = undefined
    inbox.fiber?.interruptUnsafe()
  }))
})
