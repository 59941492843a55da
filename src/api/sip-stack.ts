/**
 * The whole stack for one server, wired once: Transport → TransactionLayer → DialogLayer →
 * SessionCoordinator, with the MediaEngine beside it. Every layer is exposed to the manager (for its
 * drain counts); each socket, fiber and timer lives in the layer's scope.
 */
import { Layer } from "effect"
import { Scheduler } from "effect/Scheduler"
import { CascadeScheduler } from "../cascade-scheduler.ts"
import { DialogLayer } from "../dialog/dialog-layer.ts"
import { MediaEngine } from "../media/media-engine.ts"
import type { CallHandler } from "../session/call-decision.ts"
import { makeSessionCoordinatorLayer } from "../session/live.ts"
import { TransactionLayer } from "../transaction/transaction-layer.ts"
import { TransportLive } from "../transport/layer.ts"
import type { ServerConfig } from "./server-config.ts"
import { publicHost } from "./server-config.ts"

export const sipStackLayer = (config: ServerConfig, handler: CallHandler) => {
  const advertised = publicHost(config)
  const transport = TransportLive.layer({
    host: config.host,
    port: config.port,
    transports: config.transports,
    advertisedHost: advertised
  })
  const transactions = TransactionLayer.layer(config.timers, config.overload).pipe(Layer.provideMerge(transport))
  const dialogs = DialogLayer.layer({ contactHost: advertised, timers: config.timers }).pipe(
    Layer.provideMerge(transactions)
  )
  const media = MediaEngine.layer({
    host: config.host,
    advertisedHost: advertised,
    portMin: config.rtpPortMin,
    portMax: config.rtpPortMax,
    mediaTimeoutMs: config.mediaTimeoutMs
  })
  const coordinator = makeSessionCoordinatorLayer({
    codecs: config.codecs,
    defaultMedia: config.defaultMedia,
    maxCalls: config.maxCalls,
    busyStatus: config.busyStatus,
    handler,
    shutdownTimeoutMs: config.shutdownTimeoutMs,
    ringTimeoutMs: config.ringTimeoutMs,
    mediaTimeoutMs: config.mediaTimeoutMs,
    localUri: config.localUri ?? `<sip:effect-sip@${advertised}>`,
    ...(config.credentials === undefined ? {} : { credentials: config.credentials })
  })
  // Every fiber of the stack hands off to the next layer within the current event-loop turn.
  return coordinator.pipe(
    Layer.provideMerge(Layer.merge(dialogs, media)),
    Layer.provide(Layer.succeed(Scheduler, new CascadeScheduler()))
  )
}
