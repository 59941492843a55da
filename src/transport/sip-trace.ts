/**
 * SIP traces at debug level: every message in and out, whole, with its peer. Whether debug is on is read
 * once when the transport is built, so at info level the hot path pays nothing for it.
 */
import { Effect, LogLevel } from "effect"
import { serialize } from "../sip/index.ts"
import type { SipMessage } from "../sip/message.ts"
import type { Endpoint, Inbound } from "./transport.ts"

const decoder = new TextDecoder("utf-8", { fatal: false })
const peer = (endpoint: Endpoint) => `${endpoint.transport} ${endpoint.host}:${endpoint.port}`

export interface SipTrace {
  readonly enabled: boolean
  readonly sent: (bytes: Uint8Array, destination: Endpoint) => Effect.Effect<void>
  readonly received: (inbound: Inbound) => Effect.Effect<void>
}

export const makeSipTrace = Effect.gen(function*() {
  const enabled = yield* LogLevel.isEnabled("Debug")
  const trace: SipTrace = {
    enabled,
    sent: (bytes, destination) => Effect.logDebug(`SIP sent to ${peer(destination)}\n${decoder.decode(bytes)}`),
    received: (inbound) =>
      Effect.logDebug(`SIP received from ${peer(inbound.source)}\n${decoder.decode(serialize(inbound.message as SipMessage))}`)
  }
  return trace
})
