/**
 * The real Transport: UDP and/or TCP sockets on one port, TLS on its own, as a Layer whose scope owns every socket
 * and connection (closing it frees the port).
 */
import { Clock, Effect, Layer, Option, Queue, Stream } from "effect"
import { NetworkError } from "../errors.ts"
import { makeDnsLookup } from "../net/dns-lookup.ts"
import { serialize } from "../sip/index.ts"
import type { SipMessage } from "../sip/message.ts"
import { resolveConfig, type TransportConfig } from "./config.ts"
import { makeCounters, snapshot } from "./counters.ts"
import { makeStreamListener } from "./stream-listener.ts"
import { tcpKind } from "./tcp.ts"
import { loadPems, tlsKind } from "./tls.ts"
import { makeWsListener } from "./ws.ts"
import { makeWssListener } from "./wss.ts"
import { type Endpoint, type Inbound, Transport } from "./transport.ts"
import type { Listener } from "./listener.ts"
import { makeSipTrace } from "./sip-trace.ts"
import { MessageTap } from "./message-tap.ts"
import { makeUdpListener } from "./udp.ts"

/**
 * Builds the Transport service in the current Scope. Binds UDP first, then TCP on the port UDP got
 * (so port 0 yields one ephemeral number for both); fails with NetworkError "BindFailed" when a bind fails.
 */
export const makeTransport = Effect.fnUntraced(function*(input: TransportConfig) {
  const config = resolveConfig(input)
  // Backpressure towards the sockets: a lagging consumer stops the read loops, and the UDP receive
  // buffer then drops (counted) while TCP peers are held back by the kernel window.
  const queue = yield* Effect.acquireRelease(
    Queue.bounded<Inbound>(config.inboundQueueCapacity),
    (queue) => Queue.shutdown(queue)
  )
  const counters = makeCounters()
  const trace = yield* makeSipTrace
  const tap = Option.getOrUndefined(yield* Effect.serviceOption(MessageTap))
  const clock = yield* Clock.Clock
  let port = config.port
  let udp: Listener | undefined
  let tcp: Listener | undefined
  let tls: Listener | undefined
  let ws: Listener | undefined
  let wss: Listener | undefined
  if (config.transports.includes("udp")) {
    udp = yield* makeUdpListener(config, port, queue, counters, makeDnsLookup(config.dns))
    port = udp.port
  }
  if (config.transports.includes("tcp")) {
    tcp = yield* makeStreamListener(tcpKind, config, port, queue, counters)
  }
  if (config.transports.includes("tls")) {
    const kind = tlsKind(yield* loadPems(config.tls), config.tls.requireClientCertificate)
    // Outbound-only TLS has no port of its own: Via names the UDP/TCP one (responses use the connection).
    tls = yield* makeStreamListener(kind, config, kind.listen === undefined ? port : config.tls.port, queue, counters)
  }
  if (config.transports.includes("ws")) {
    ws = yield* makeWsListener("ws", config, config.ws.port, queue, counters)
  }
  if (config.transports.includes("wss")) {
    const { cert, key } = yield* loadPems(config.tls)
    if (cert === undefined || key === undefined) {
      return yield* new NetworkError({ reason: "BindFailed", address: `${config.host}:${config.ws.securePort}`, message: "wss needs a TLS certificate and key" })
    }
    wss = yield* makeWssListener(config, config.ws.securePort, queue, counters, { cert, key })
  }
  const local: Array<Endpoint> = []
  if (udp !== undefined) local.push(udp.local)
  if (tcp !== undefined) local.push(tcp.local)
  if (tls !== undefined) local.push(tls.local)
  if (ws !== undefined) local.push(ws.local)
  if (wss !== undefined) local.push(wss.local)

  const send = Effect.fnUntraced(function*(message: SipMessage, destination: Endpoint) {
    const kind = destination.transport
    const listener = kind === "udp" ? udp : kind === "tcp" ? tcp : kind === "tls" ? tls : kind === "ws" ? ws : wss
    if (listener === undefined) {
      return yield* new NetworkError({
        reason: "SendFailed",
        refusal: "TransportUnavailable",
        address: `${destination.host}:${destination.port}`,
        // Never another transport instead: a sips:/TLS target must not go out in the clear.
        message: `transport ${destination.transport} is not enabled`
      })
    }
    // Serialized once, whatever the transport.
    const bytes = serialize(message)
    yield* listener.send(bytes, destination)
    counters.sent++
    if (trace.enabled) yield* trace.sent(bytes, destination)
    if (tap !== undefined) tap.capture({ direction: "out", bytes, local: listener.local, remote: destination, atMs: clock.currentTimeMillisUnsafe() })
  })
  const received = Stream.fromQueue(queue)
  const tapped = tap === undefined ? received : Stream.tap(received, (inbound) => Effect.sync(() =>
    tap.capture({ direction: "in", bytes: serialize(inbound.message), local: inbound.local, remote: inbound.source, atMs: clock.currentTimeMillisUnsafe() })))

  return Transport.of({
    inbound: trace.enabled ? Stream.tap(tapped, trace.received) : tapped,
    send,
    local,
    stats: Effect.sync(() => snapshot(counters))
  })
})

export const TransportLive = {
  /** The socket Transport for `config`; sockets live exactly as long as the layer's scope. */
  layer: (config: TransportConfig): Layer.Layer<Transport, NetworkError> => Layer.effect(Transport, makeTransport(config))
}
