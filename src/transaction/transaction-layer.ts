/**
 * The TransactionLayer service (RFC 3261 §17, RFC 6026): the four transaction state machines, their
 * timers on Effect's Clock, matching, retransmissions. Contract for the dialog layer above it; the
 * implementation is TransactionLive (live.ts), the timer config TimerConfig (config.ts).
 */
import type { TransactionStatsSnapshot } from "./stats.ts"
import { Context, type Effect, type Stream } from "effect"
import type { NetworkError, ProtocolError } from "../errors.ts"
import type { SipRequest, SipResponse } from "../sip/message.ts"
import type { Endpoint } from "../transport/transport.ts"

/** A server transaction the TU answers through `TransactionLayer.respond`. */
export interface ServerTransaction {
  /** Stable key: branch + sent-by + method (§17.2.3). */
  readonly id: string
  readonly request: SipRequest
  readonly source: Endpoint
}

/** Events go up to the TU. Delivered through a bounded queue; when the TU lags, the transport stops
 *  reading (backpressure) and the socket buffer drops at the edge, counted there. */
export type TransactionEvent =
  /** A new request (not a retransmission): INVITE, BYE, OPTIONS, … CANCEL and ACK are not reported here. */
  | { readonly _tag: "RequestReceived"; readonly transaction: ServerTransaction }
  /** An ACK with no INVITE server transaction to absorb it: the ACK for a 2xx, the TU's business (§13.3.1.4). */
  | { readonly _tag: "AckReceived"; readonly request: SipRequest; readonly source: Endpoint }
  /** A CANCEL matched a pending INVITE server transaction: the layer already answered the CANCEL with 200;
   *  the TU should answer the INVITE with 487 (§9.2). */
  | { readonly _tag: "CancelReceived"; readonly invite: ServerTransaction; readonly cancel: SipRequest }
  /** A response that matches no client transaction: e.g. a retransmitted 2xx after the INVITE client
   *  transaction ended, or a 2xx from a second fork. The dialog layer re-ACKs it. */
  | { readonly _tag: "StrayResponse"; readonly response: SipResponse; readonly source: Endpoint }
  /** A server transaction ended without the TU seeing its end otherwise: Timer H (no ACK for a non-2xx), a
   *  transport error on a retransmission, or the TU never sent a final response (64*T1 for non-INVITE,
   *  3 min for INVITE: the layer answered 408 itself and reports TransactionTimeout). */
  | { readonly _tag: "ServerTransactionFailed"; readonly id: string; readonly error: ProtocolError | NetworkError }

/** A client transaction: its responses arrive on `responses`. */
export interface ClientTransaction {
  readonly id: string
  readonly request: SipRequest
  readonly destination: Endpoint
  /** Every response, provisional and final, in order; for an INVITE, 2xx retransmissions too while the
   *  transaction is Accepted (RFC 6026 Timer M). Ends when the transaction terminates; fails with
   *  ProtocolError "TransactionTimeout" (Timer B/F) or a NetworkError. */
  readonly responses: Stream.Stream<SipResponse, ProtocolError | NetworkError>
}

export class TransactionLayer extends Context.Service<TransactionLayer, {
  readonly events: Stream.Stream<TransactionEvent>
  /** Start a client transaction. The request must carry a top Via with a fresh `z9hG4bK` branch; the
   *  layer adds one if it is missing. ACK for a 2xx is not a transaction: use `sendStateless`. */
  sendRequest(request: SipRequest, destination: Endpoint): Effect.Effect<ClientTransaction, NetworkError>
  /** CANCEL a pending INVITE client transaction (§9.1): built from the INVITE, sent as its own
   *  non-INVITE transaction once a provisional has arrived. */
  cancel(inviteTransactionId: string): Effect.Effect<void, ProtocolError | NetworkError>
  /** Answer on a server transaction; retransmissions of the request are answered with the last response. */
  respond(transactionId: string, response: SipResponse): Effect.Effect<void, ProtocolError | NetworkError>
  /** Send outside any transaction (ACK for 2xx, 2xx retransmissions owned by the TU per RFC 6026). */
  sendStateless(message: SipRequest | SipResponse, destination: Endpoint): Effect.Effect<void, NetworkError>
  /** Where the transport below listens, as bound (port 0 resolved): the dialog layer's Contact and Via. */
  readonly local: ReadonlyArray<Endpoint>
  /** Live transaction counts, for drain checks. */
  readonly counts: Effect.Effect<{ readonly client: number; readonly server: number }>
  /** New INVITEs answered 503 by overload protection since the layer started (overload.ts). */
  readonly shedInvites: Effect.Effect<number>
  /** Retransmissions and responses by status code since the layer started (stats.ts). */
  readonly stats: Effect.Effect<TransactionStatsSnapshot>
}>()("effect-sip/transaction/TransactionLayer") {}
