/**
 * ClientSessionManager: the service a dialer, test rig or B2BUA leg uses to place calls. The same
 * operations as the server (hold, resume, end, DTMF, mute on the same SessionEvent stream), with client
 * defaults: an ephemeral port, tone media, and incoming calls refused unless a handler is given.
 */
import { Context, Layer } from "effect"
import type { ManagerService } from "./manager-view.ts"
import { makeManagerView } from "./manager-view.ts"
import { defaultServerConfig } from "./server-config.ts"
import { SipStack, type SipStackConfig } from "./sip-stack.ts"

/** A SipStackConfig: the handler decides calls that arrive at the client (default 480). */
export type ClientConfig = SipStackConfig

export const defaultClientConfig: ClientConfig = {
  ...defaultServerConfig,
  port: 0,
  defaultMedia: { _tag: "Tone", frequency: 440 },
  ringTimeoutMs: 60_000
}

export class ClientSessionManager extends Context.Service<ClientSessionManager, ManagerService>()(
  "effect-sip/api/ClientSessionManager"
) {
  /** The view over the SipStack in context. */
  static readonly fromStack = Layer.effect(ClientSessionManager, makeManagerView)

  /** The whole client from a config (defaults filled in). Place calls with `call`. */
  static readonly layer = (config: Partial<ClientConfig> = {}) =>
    ClientSessionManager.fromStack.pipe(Layer.provide(SipStack.layer({ ...defaultClientConfig, ...config })))
}
