/**
 * HEP capture: a MessageTap that sends every SIP message the stack sends or receives, as HEP v3 over UDP,
 * to a Homer collector. Fire and forget (a capture must never slow calls down): failed sends are counted.
 */
import { Effect, Layer } from "effect"
import { isIPv6 } from "node:net"
import { bindUdp } from "../net/udp-socket.ts"
import { MessageTap } from "../transport/message-tap.ts"
import { scanCallId } from "./call-id-scan.ts"
import { encodeHep, type HepOptions } from "./hep.ts"

export interface HepConfig extends HepOptions {
  readonly host: string
  readonly port: number
}

/** "host:port" or "[v6]:port" → the collector's address; undefined when it is neither. */
export const parseCollector = (value: string): { readonly host: string; readonly port: number } | undefined => {
  const match = /^\[([^\]]+)\]:(\d+)$/.exec(value) ?? /^([^:]+):(\d+)$/.exec(value)
  if (match === null) return undefined
  const port = Number(match[2])
  return port > 0 && port < 65536 ? { host: match[1], port } : undefined
}

export const HepCapture = {
  /** The tap, its socket in the current Scope. */
  make: (config: HepConfig) =>
    Effect.gen(function*() {
      const socket = yield* Effect.acquireRelease(
        bindUdp(isIPv6(config.host) ? "::" : "0.0.0.0", 0),
        (socket) => Effect.sync(() => socket.close())
      ).pipe(Effect.orDie)
      const runFork = Effect.runForkWith(yield* Effect.context<never>())
      let failed = 0
      // One log line when sends start failing (the collector unreachable), not one per message.
      const onSent = (error: Error | null) => {
        if (error !== null && failed++ === 0) runFork(Effect.logWarning(`HEP capture to ${config.host}:${config.port} failing: ${error.message}`))
      }
      return MessageTap.of({
        capture: (message) => {
          const packet = encodeHep(message, scanCallId(message.bytes), config)
          socket.send(packet, config.port, config.host, onSent)
        }
      })
    }),
  layer: (config: HepConfig) => Layer.effect(MessageTap, HepCapture.make(config))
}
