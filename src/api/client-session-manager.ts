/**
 * ClientSessionManager: the service a dialer, test rig or B2BUA leg uses to place calls. The same
 * stack and operations as the server (hold, resume, end, DTMF, mute on the same SessionEvent stream),
 * with client defaults: an ephemeral port, tone media, and incoming calls refused unless a handler is given.
 */
import { Context, Effect, Layer } from "effect"
import type { CallHandler } from "../session/call-decision.ts"
import { CallDecision } from "../session/call-decision.ts"
import type { ManagerService } from "./manager-service.ts"
import { makeManagerService } from "./manager-service.ts"
import type { ServerConfig } from "./server-config.ts"
import { defaultServerConfig } from "./server-config.ts"
import { sipStackLayer } from "./sip-stack.ts"

export interface ClientConfig extends ServerConfig {
  /** Decides calls that arrive at the client; default: 480 Temporarily Unavailable. */
  readonly handler?: CallHandler
}

export const defaultClientConfig: ClientConfig = {
  ...defaultServerConfig,
  port: 0,
  defaultMedia: { _tag: "Tone", frequency: 440 },
  ringTimeoutMs: 60_000
}

const refuseIncoming: CallHandler = () => Effect.succeed(CallDecision.reject(480))

export class ClientSessionManager extends Context.Service<ClientSessionManager, ManagerService>()(
  "effect-sip/api/ClientSessionManager"
) {
  /** The whole client from a config (defaults filled in). Place calls with `call`. */
  static readonly layer = (config: Partial<ClientConfig> = {}) => {
    const full: ClientConfig = { ...defaultClientConfig, ...config }
    return Layer.effect(ClientSessionManager, makeManagerService).pipe(
      Layer.provide(sipStackLayer(full, full.handler ?? refuseIncoming))
    )
  }
}
