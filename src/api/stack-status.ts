/**
 * What a SipStack reports about itself: the drain counts of every layer, overload rejections, where it
 * listens and the Contact it gives peers. Built once from the stack's own services.
 */
import { Effect } from "effect"
import { DialogLayer } from "../dialog/dialog-layer.ts"
import { MediaEngine } from "../media/media-engine.ts"
import { SessionCoordinator } from "../session/session-coordinator.ts"
import { TransactionLayer } from "../transaction/transaction-layer.ts"
import type { Endpoint } from "../transport/transport.ts"
import { Transport } from "../transport/transport.ts"

/** Live objects of every layer: after traffic stops, all of them drain to zero. */
export interface Counts {
  readonly sessions: number
  readonly dialogs: number
  readonly pendingInvites: number
  readonly clientTransactions: number
  readonly serverTransactions: number
  readonly rtpPorts: number
}

export interface StackStatus {
  readonly counts: Effect.Effect<Counts>
  /** New calls answered 503 by overload protection since start (ServerConfig.overload). */
  readonly rejectedForOverload: Effect.Effect<number>
  /** Where the stack listens, as bound (port 0 resolved), named by the advertised host. */
  readonly local: ReadonlyArray<Endpoint>
  /** The host peers should use for us (Via, Contact, SDP). */
  readonly advertisedHost: string
  /** Our Contact URI on the first listener, as the dialogs write it: `sip:host:port;transport=udp`. */
  readonly contactUri: string
}

const hostPart = (host: string) => (host.includes(":") ? `[${host}]` : host)

export const makeStackStatus = (advertisedHost: string) =>
  Effect.gen(function*() {
    const coordinator = yield* SessionCoordinator
    const dialogs = yield* DialogLayer
    const transactions = yield* TransactionLayer
    const media = yield* MediaEngine
    const transport = yield* Transport
    const counts = Effect.gen(function*() {
      const d = yield* dialogs.counts
      const t = yield* transactions.counts
      return {
        sessions: yield* coordinator.activeSessions,
        dialogs: d.dialogs,
        pendingInvites: d.pendingInvites,
        clientTransactions: t.client,
        serverTransactions: t.server,
        rtpPorts: yield* media.portsInUse
      }
    })
    const first = transport.local[0]
    const status: StackStatus = {
      counts,
      rejectedForOverload: transactions.shedInvites,
      local: transport.local,
      advertisedHost,
      contactUri: first === undefined
        ? `sip:${hostPart(advertisedHost)}`
        : `sip:${hostPart(first.host)}:${first.port};transport=${first.transport}`
    }
    return status
  })
