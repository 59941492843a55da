/**
 * ServerSessionManager: the one service a server application uses. Built by one factory Layer from a
 * config and a CallHandler; it composes Transport → TransactionLayer → DialogLayer → SessionCoordinator
 * with the MediaEngine beside it, so its user imports nothing else.
 */
import { Context, Effect, Layer } from "effect"
import { DialogLayer } from "../dialog/dialog-layer.ts"
import { MediaEngine } from "../media/media-engine.ts"
import type { CallHandler } from "../session/call-decision.ts"
import { SessionCoordinator } from "../session/session-coordinator.ts"
import { TransactionLayer } from "../transaction/transaction-layer.ts"
import type { Endpoint } from "../transport/transport.ts"
import { Transport } from "../transport/transport.ts"
import type { ServerConfig } from "./server-config.ts"
import { defaultServerConfig } from "./server-config.ts"
import { sipStackLayer } from "./sip-stack.ts"

/** Live objects of every layer: after traffic stops, all of them drain to zero. */
export interface Counts {
  readonly sessions: number
  readonly dialogs: number
  readonly pendingInvites: number
  readonly clientTransactions: number
  readonly serverTransactions: number
  readonly rtpPorts: number
}

export class ServerSessionManager extends Context.Service<ServerSessionManager, SessionCoordinator["Service"] & {
  readonly counts: Effect.Effect<Counts>
  /** Where the server listens, as bound. */
  readonly local: ReadonlyArray<Endpoint>
}>()("effect-sip/api/ServerSessionManager") {
  /** The whole server from a config (defaults filled in) and a handler deciding each incoming call. */
  static readonly layer = (handler: CallHandler, config: Partial<ServerConfig> = {}) => {
    const full: ServerConfig = { ...defaultServerConfig, ...config }
    return Layer.effect(ServerSessionManager, makeManager).pipe(Layer.provide(sipStackLayer(full, handler)))
  }
}

const makeManager = Effect.gen(function*() {
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
  return ServerSessionManager.of({ ...coordinator, counts, local: transport.local })
})
