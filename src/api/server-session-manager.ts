/**
 * ServerSessionManager: the one service a server application uses. `layer(handler, config)` builds a
 * SipStack of its own; `fromStack` is a view over a SipStack the program provides (and may share with a
 * ClientSessionManager or a Registration), whose config's handler decides incoming calls.
 */
import { Context, Layer } from "effect"
import type { CallHandler } from "../session/call-decision.ts"
import type { ManagerService } from "./manager-view.ts"
import { makeManagerView } from "./manager-view.ts"
import type { ServerConfig } from "./server-config.ts"
import { defaultServerConfig } from "./server-config.ts"
import { SipStack } from "./sip-stack.ts"

export type { Counts } from "./stack-status.ts"

export class ServerSessionManager extends Context.Service<ServerSessionManager, ManagerService>()(
  "effect-sip/api/ServerSessionManager"
) {
  /** The view over the SipStack in context. */
  static readonly fromStack = Layer.effect(ServerSessionManager, makeManagerView)

  /** The whole server from a config (defaults filled in) and a handler deciding each incoming call. */
  static readonly layer = (handler: CallHandler, config: Partial<ServerConfig> = {}) =>
    ServerSessionManager.fromStack.pipe(Layer.provide(SipStack.layer({ ...defaultServerConfig, ...config, handler })))
}
