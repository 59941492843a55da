/**
 * ServerSessionManager: the one service a server application uses. Built by one factory Layer from a
 * config and a CallHandler; it composes Transport → TransactionLayer → DialogLayer → SessionCoordinator
 * with the MediaEngine beside it, so its user imports nothing else.
 */
import { Context, Layer } from "effect"
import type { CallHandler } from "../session/call-decision.ts"
import type { ManagerService } from "./manager-service.ts"
import { makeManagerService } from "./manager-service.ts"
import type { ServerConfig } from "./server-config.ts"
import { defaultServerConfig } from "./server-config.ts"
import { sipStackLayer } from "./sip-stack.ts"

export type { Counts } from "./manager-service.ts"

export class ServerSessionManager extends Context.Service<ServerSessionManager, ManagerService>()(
  "effect-sip/api/ServerSessionManager"
) {
  /** The whole server from a config (defaults filled in) and a handler deciding each incoming call. */
  static readonly layer = (handler: CallHandler, config: Partial<ServerConfig> = {}) => {
    const full: ServerConfig = { ...defaultServerConfig, ...config }
    return Layer.effect(ServerSessionManager, makeManagerService).pipe(Layer.provide(sipStackLayer(full, handler)))
  }
}
