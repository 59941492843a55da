/**
 * What both managers (server and client) offer: the SessionCoordinator's operations, the drain counts
 * of every layer, and where the stack listens. Built once from the layers of the sip stack.
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

export type ManagerService = SessionCoordinator["Service"] & {
  readonly counts: Effect.Effect<Counts>
  /** New calls answered 503 by overload protection since start (ServerConfig.overload). */
  readonly rejectedForOverload: Effect.Effect<number>
  /** Where the stack listens, as bound (port 0 resolved). */
  readonly local: ReadonlyArray<Endpoint>
}

export const makeManagerService = Effect.gen(function*() {
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
  const service: ManagerService = {
    ...coordinator,
    counts,
    rejectedForOverload: transactions.shedInvites,
    local: transport.local
  }
  return service
})
