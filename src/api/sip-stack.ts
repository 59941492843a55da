/**
 * SipStack: the one composition root. `SipStack.layer(config)` wires Transport → TransactionLayer →
 * DialogLayer → SessionCoordinator, with the MediaEngine beside it, and exposes every one of them plus the
 * SipStack service itself (counts, where it listens, its Contact). The managers are views over it; a
 * Registration takes its TransactionLayer, so one socket registers, places and receives calls. Each socket,
 * fiber and timer lives in the layer's scope.
 */
import { Context, Effect, Layer } from "effect"
import { Scheduler } from "effect/Scheduler"
import { CascadeScheduler } from "../cascade-scheduler.ts"
import { DialogLayer } from "../dialog/dialog-layer.ts"
import { DialogLive } from "../dialog/live.ts"
import { MediaLive } from "../media/live.ts"
import type { CallHandler } from "../session/call-decision.ts"
import { CallDecision } from "../session/call-decision.ts"
import { SessionCoordinatorLive } from "../session/live.ts"
import { TransactionLive } from "../transaction/live.ts"
import { TransportLive } from "../transport/live.ts"
import { makeDnsLookup } from "../net/dns-lookup.ts"
import { Locator } from "../net/locator.ts"
import type { ServerConfig } from "./server-config.ts"
import { defaultServerConfig, publicHost } from "./server-config.ts"
import { makeStackStatus, type StackStatus } from "./stack-status.ts"

export interface SipStackConfig extends ServerConfig {
  /** Decides incoming calls; default: 480 Temporarily Unavailable. */
  readonly handler?: CallHandler
}

/** What a stack built only to place calls answers to calls arriving at it. */
export const refuseIncoming: CallHandler = () => Effect.succeed(CallDecision.reject(480))

const layers = (config: SipStackConfig) => {
  const advertised = publicHost(config)
  const transport = TransportLive.layer({
    host: config.host,
    port: config.port,
    transports: config.transports,
    advertisedHost: advertised,
    ...(config.tls === undefined ? {} : { tls: config.tls }),
    ...(config.ws === undefined ? {} : { ws: config.ws }),
    ...(config.dns === undefined ? {} : { dns: config.dns })
  })
  const transactions = TransactionLive.layer(config.timers, config.overload).pipe(Layer.provideMerge(transport))
  const dialogs = DialogLive.layer({
    contactHost: advertised,
    timers: config.timers,
    ...(config.reliableProvisionals === undefined ? {} : { reliableProvisionals: config.reliableProvisionals })
  }).pipe(
    Layer.provideMerge(transactions)
  )
  const media = MediaLive.layer({
    host: config.host,
    advertisedHost: advertised,
    portMin: config.rtpPortMin,
    portMax: config.rtpPortMax,
    mediaTimeoutMs: config.mediaTimeoutMs
  })
  const coordinator = SessionCoordinatorLive.layer({
    codecs: config.codecs,
    defaultMedia: config.defaultMedia,
    maxCalls: config.maxCalls,
    busyStatus: config.busyStatus,
    handler: config.handler ?? refuseIncoming,
    shutdownTimeoutMs: config.shutdownTimeoutMs,
    ringTimeoutMs: config.ringTimeoutMs,
    mediaTimeoutMs: config.mediaTimeoutMs,
    localUri: config.localUri ?? `<sip:effect-sip@${advertised}>`,
    ...(config.credentials === undefined ? {} : { credentials: config.credentials }),
    ...(config.sessionExpiresSeconds === undefined ? {} : { sessionExpiresSeconds: config.sessionExpiresSeconds }),
    ...(config.minSessionExpiresSeconds === undefined ? {} : { minSessionExpiresSeconds: config.minSessionExpiresSeconds }),
    ...(config.maxMessageBytes === undefined ? {} : { maxMessageBytes: config.maxMessageBytes }),
    ...(config.require100rel === undefined ? {} : { require100rel: config.require100rel }),
    ...(config.srtp === undefined ? {} : { srtp: config.srtp }),
    ...(config.referHandler === undefined ? {} : { referHandler: config.referHandler })
  }).pipe(Layer.provide(Layer.succeed(Locator, { dns: makeDnsLookup(config.dns), transports: config.transports })))
  const status = Layer.effect(SipStack, makeStackStatus(advertised))
  // Every fiber of the stack hands off to the next layer within the current event-loop turn.
  return status.pipe(
    Layer.provideMerge(coordinator),
    Layer.provideMerge(Layer.merge(dialogs, media)),
    Layer.provide(Layer.succeed(Scheduler, new CascadeScheduler()))
  )
}

export class SipStack extends Context.Service<SipStack, StackStatus>()("effect-sip/api/SipStack") {
  /** The whole stack from a config (ServerConfig's defaults filled in). Its output holds SipStack,
   *  SessionCoordinator, DialogLayer, MediaEngine, TransactionLayer and Transport. */
  static readonly layer = (config: Partial<SipStackConfig> = {}) => layers({ ...defaultServerConfig, ...config })
}
