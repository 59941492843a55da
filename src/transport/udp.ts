/**
 * The UDP listener (§18.1.1, §18.2.1): one Scope-managed socket that reads in batches and sends.
 * Sends are fire-and-forget (src/net/udp-socket.ts): a send fails with NetworkError only when it fails at once.
 */
import * as NodeDatagramSocket from "@effect/platform-node/NodeDatagramSocket"
import { isIP } from "node:net"
import { Effect, Equal, Queue } from "effect"
import { NetAddress } from "effect/net"
import type { DatagramSocket } from "effect/socket"
import type * as Dgram from "node:dgram"
import { NetworkError } from "../errors.ts"
import type { ResolvedTransportConfig } from "./config.ts"
import type { Counters } from "./counters.ts"
import { bindFailed, type Listener } from "./listener.ts"
import { receive } from "./receive.ts"
import type { DnsLookup } from "../net/dns-lookup.ts"
import { bindUdp, makeSender } from "../net/udp-socket.ts"
import type { Endpoint, Inbound } from "./transport.ts"

// A burst of INVITEs (SIPp sends a few per 4 ms tick; a GC pause holds a few ms of them) must wait in the kernel,
// not be dropped: a dropped INVITE costs its UAC a 500 ms retransmission. The kernel default is ~208 KB;
// Kamailio and SIPp run with 1 MiB. Capped by net.core.rmem_max.
const SIP_RECEIVE_BUFFER_BYTES = 1024 * 1024

const openKind = (error: DatagramSocket.DatagramSocketError): string =>
  error.reason._tag === "DatagramSocketOpenError" ? error.reason.kind : "Unknown"

/**
 * Binds UDP on `config.host:port` in the current Scope (closing the scope closes the socket) and forks
 * the read loop there. Datagrams wait in a bounded receive buffer ("dropping", counted) while the
 * inbound queue applies backpressure.
 */
export const makeUdpListener = Effect.fnUntraced(function*(
  config: ResolvedTransportConfig,
  port: number,
  queue: Queue.Queue<Inbound>,
  counters: Counters,
  dns: DnsLookup
) {
  const address = `${config.host}:${port}`
  let native: Dgram.Socket | undefined
  const socket = yield* NodeDatagramSocket.fromSocket(
    Effect.map(bindUdp(config.host, port, SIP_RECEIVE_BUFFER_BYTES), (bound) => (native = bound)),
    { receiveBuffer: { capacity: config.receiveBufferCapacity, strategy: "dropping" } }
  )
  const reader = yield* socket.reader.pipe(
    Effect.mapError((error) => bindFailed(address, openKind(error), error))
  )
  const sender = yield* makeSender(native!, () => counters.lost++)
  counters.droppedSources.push(reader.dropped)
  const boundPort = reader.address.port
  const local: Endpoint = { transport: "udp", host: config.advertisedHost, port: boundPort }

  // Per batch: classify every datagram synchronously, answer the malformed ones, offer the rest at once.
  // A peer sends datagram after datagram from one address: its Endpoint (and host string) is made once and
  // shared, not once per datagram (transactions keep it for 32 s after the call).
  let lastSource: Endpoint | undefined
  let lastAddress: NetAddress.IpAddress | undefined
  const sourceOf = (address: NetAddress.InetAddress): Endpoint => {
    if (lastSource !== undefined && lastSource.port === address.port && lastAddress![Equal.symbol](address.address)) {
      return lastSource
    }
    lastAddress = address.address
    lastSource = { transport: "udp", host: NetAddress.formatIp(address.address), port: address.port }
    return lastSource
  }

  const handleBatch = Effect.fnUntraced(function*(batch: ReadonlyArray<DatagramSocket.Datagram>) {
    const up: Array<Inbound> = []
    for (const datagram of batch) {
      const source = sourceOf(datagram.address)
      const verdict = receive(datagram.payload, source, local, false, config.maxMessageSize)
      if (verdict._tag === "Message") {
        up.push(verdict.inbound)
      } else if (verdict._tag === "Malformed") {
        counters.malformed++
        yield* Effect.logDebug(`malformed SIP datagram from ${source.host}:${source.port}: ${verdict.problem}`)
        if (verdict.answer !== undefined) {
          // Back to the datagram's source, not the Via: we could not trust the Via (and no reflection).
          try {
            sender.send(verdict.answer, datagram.address.port, source.host)
          } catch {
            // best effort: the sender gets no answer
          }
        }
      }
    }
    if (up.length > 0) {
      counters.received += up.length
      yield* Queue.offerAll(queue, up)
    }
  })

  yield* Effect.gen(function*() {
    while (true) yield* handleBatch(yield* reader.pull)
  }).pipe(
    Effect.catch((error) => Effect.logWarning(`UDP listener ${address} stopped: ${error.message}`)),
    Effect.forkScoped
  )

  const fail = (reason: "MessageTooLarge" | "SendFailed", address: string, message: string, cause?: unknown) =>
    Effect.fail(new NetworkError({ reason, address, message, cause }))

  const family = isIP(config.host) === 6 ? 6 : 4
  const sendToName = (bytes: Uint8Array, destination: Endpoint) =>
    Effect.flatMap(dns.addresses(destination.host), (addresses) => {
      const host = addresses.find((a) => isIP(a) === family) ?? (family === 6 ? addresses[0] : undefined)
      return host === undefined
        ? Effect.fail(new NetworkError({
          reason: "SendFailed",
          refusal: "NameNotResolved",
          address: `${destination.host}:${destination.port}`,
          message: `no IPv${family} address for ${destination.host}`
        }))
        : send(bytes, { ...destination, host })
    })

  // Lazy (the send happens when the effect runs), synchronous, and no fiber suspension.
  const send = (bytes: Uint8Array, destination: Endpoint): Effect.Effect<void, NetworkError> =>
    Effect.suspend(() => {
      if (bytes.length > config.maxMessageSize) {
        return fail(
          "MessageTooLarge",
          `${destination.host}:${destination.port}`,
          `${bytes.length} bytes exceeds maxMessageSize ${config.maxMessageSize}`
        )
      }
      // A host name (RFC 3263 §4.2 with a port given): its first address of our socket's family.
      if (isIP(destination.host) === 0) return sendToName(bytes, destination)
      try {
        sender.send(bytes, destination.port, destination.host)
        return Effect.void
      } catch (cause) {
        return fail("SendFailed", `${destination.host}:${destination.port}`, (cause as Error).message, cause)
      }
    })

  return { local, port: boundPort, send } satisfies Listener
})
