/**
 * The state the transaction layer shares between its state machines: the two transaction tables, the
 * transport, the event queue, the timer values. One instance per layer; plain mutable records (one JS
 * thread, and every mutation happens synchronously between two `yield*`s).
 */
import type { Cause, Queue } from "effect"
import type { NetworkError, ProtocolError } from "../errors.ts"
import type { SipRequest, SipResponse } from "../sip/message.ts"
import type { Endpoint, Transport } from "../transport/transport.ts"
import type { OverloadState } from "./admission.ts"
import type { TimerLanes } from "../timers/timer-lanes.ts"
import type { TimerSlots } from "../timers/slots.ts"
import type { TimerValues } from "./timers.ts"
import type { TransactionStats } from "./stats.ts"
import type { ServerTransaction, TransactionEvent } from "./transaction-layer.ts"

export type ClientState = "calling" | "trying" | "proceeding" | "completed" | "accepted" | "terminated"

export interface ClientTx extends TimerSlots {
  readonly id: string
  readonly invite: boolean
  readonly request: SipRequest
  readonly destination: Endpoint
  readonly reliable: boolean
  state: ClientState
  /** Current retransmission interval of Timer A or E. */
  interval: number
  /** Every response goes up here; ended on termination, failed on timeout or transport error. */
  readonly queue: Queue.Queue<SipResponse, ProtocolError | NetworkError | Cause.Done>
  /** The ACK for a non-2xx final (§17.1.1.3), kept to answer its retransmissions. */
  ack: SipRequest | undefined
  /** CANCEL requested while still Calling: sent when the first provisional arrives (§9.1). */
  cancelPending: boolean
  cancelSent: boolean
}

export type ServerState = "trying" | "proceeding" | "completed" | "confirmed" | "accepted" | "terminated"

export interface ServerTx extends ServerTransaction, TimerSlots {
  readonly invite: boolean
  readonly reliable: boolean
  /** Where responses go (§18.2.2, RFC 3581), fixed when the request arrived. */
  readonly destination: Endpoint
  state: ServerState
  interval: number
  /** The last response sent: retransmitted requests are answered with it (§17.2.1, §17.2.2). */
  last: SipResponse | undefined
  /** ServerTransactionFailed already went up (at most once per transaction). */
  reported: boolean
}

/** A server transaction past its final response, waiting out Timer L or J (lingering.ts). */
export interface Lingering {
  readonly id: string
  /** An INVITE in Accepted; otherwise a non-INVITE in Completed. */
  readonly invite: boolean
  readonly destination: Endpoint
  /** Non-INVITE: the final response as sent (its bytes as a latin1 string), re-parsed only to answer a
   *  retransmission. An INVITE in Accepted absorbs retransmissions (RFC 6026; the TU retransmits its 2xx
   *  itself): nothing to keep. */
  readonly last: string | undefined
  /** INVITE: the To tag of our 2xx, for the 200 to a late CANCEL (§9.2). */
  readonly toTag: string | undefined
}

/** The batch new lingering transactions join (they expire together, lingering.ts). */
export interface LingeringBatch {
  entries: Array<Lingering> | undefined
  openedAt: number
  ms: number
}

export interface LayerContext {
  readonly transport: Transport["Service"]
  readonly lanes: TimerLanes
  readonly timers: TimerValues
  readonly clients: Map<string, ClientTx>
  readonly servers: Map<string, ServerTx>
  /** Server transactions past their final response, waiting out Timer L or J (lingering.ts). */
  readonly lingering: Map<string, Lingering>
  /** The batch new lingering transactions join (they expire together). */
  readonly lingeringBatch: LingeringBatch
  readonly events: Queue.Queue<TransactionEvent>
  readonly overload: OverloadState
  /** Retransmissions and responses by status, for operators (stats.ts). */
  readonly stats: TransactionStats
  /** Clock millis, synchronously (Effect's Clock: TestClock in tests). */
  readonly now: () => number
}
