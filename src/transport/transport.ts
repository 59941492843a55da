/**
 * The Transport service: moves parsed SIP messages between this process and its peers over UDP and
 * TCP (RFC 3261 §18). It knows nothing of transactions. Contract for every layer above it.
 */
import { Context, type Effect, type Stream } from "effect"
import type { NetworkError } from "../errors.ts"
import type { SipMessage } from "../sip/message.ts"

export type TransportKind = "udp" | "tcp" | "tls" | "ws" | "wss"

/** Every kind but UDP is a stream: reliable, no retransmissions (§17.1.1.2), Content-Length framing (§18.3). */
export const isReliable = (kind: TransportKind): boolean => kind !== "udp"

/** A transport address: where a message came from or goes to. */
export interface Endpoint {
  readonly transport: TransportKind
  readonly host: string
  readonly port: number
}

/** A message that parsed. For requests the top Via already carries `received`/`rport` (§18.2.1, RFC 3581). */
export interface Inbound {
  readonly message: SipMessage
  /** The peer: for UDP the datagram's source, for TCP the connection's remote end. */
  readonly source: Endpoint
  /** The local listener it arrived on. */
  readonly local: Endpoint
}

/** Counters a dashboard or a test reads. */
export interface TransportStats {
  readonly received: number
  readonly sent: number
  /** Datagrams or stream messages that failed to parse (answered with 400 where possible). */
  readonly malformed: number
  /** Datagrams dropped because the receive buffer was full. */
  readonly dropped: number
  readonly openConnections: number
}

export class Transport extends Context.Service<Transport, {
  /** Single consumer (the TransactionLayer). Backpressure: when the consumer lags, reads stop and the
   *  bounded socket receive buffer drops (counted in `stats.dropped`). */
  readonly inbound: Stream.Stream<Inbound>
  /** Serialize and send. TCP reuses an open connection to the destination (including the one a request
   *  came in on, §18.2.2) or opens one. UDP is fire-and-forget: the effect completes once the datagram is
   *  handed to the kernel and fails (NetworkError) only on a failure known at once (too large, a name with no address,
   *  socket closed); a later send error is a lost datagram, left to the transaction's retransmissions. */
  send(message: SipMessage, destination: Endpoint): Effect.Effect<void, NetworkError>
  /** Where we listen, as bound (port 0 resolves to the real port). */
  readonly local: ReadonlyArray<Endpoint>
  readonly stats: Effect.Effect<TransportStats>
}>()("effect-sip/transport/Transport") {}
