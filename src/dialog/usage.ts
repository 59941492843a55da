/**
 * Out-of-dialog usages beside the INVITE session (PJSIP's modules on the UA layer): a registrar claims
 * REGISTER. The dialog layer still runs the §8.2 policy on the request, then hands it to the usage and
 * sends the answer it returns (building the SIP, To-tag included). No usage: the method stays 405.
 */
import { Context, type Effect } from "effect"
import type { SipRequest } from "../sip/message.ts"
import type { Endpoint } from "../transport/transport.ts"
import type { ResponseOptions } from "./dialog-layer.ts"

export interface UsageRequest {
  readonly request: SipRequest
  /** Where it came from (the source of the datagram or connection). */
  readonly source: Endpoint
}

export interface UsageAnswer {
  readonly status: number
  readonly options?: ResponseOptions
}

export interface RequestUsage {
  /** Methods it answers outside a dialog; they join Allow. */
  readonly methods: ReadonlyArray<string>
  readonly handle: (request: UsageRequest) => Effect.Effect<UsageAnswer>
}

/** The usages a DialogLayer serves, read once when the layer is built; none by default. */
export const RequestUsages = Context.Reference<ReadonlyArray<RequestUsage>>("effect-sip/dialog/RequestUsages", {
  defaultValue: () => []
})

/** A check before a request goes on to the session (an INVITE challenged for credentials): an answer
 *  sent instead, or undefined to let it through. Run inline, so it must not wait on I/O. */
export interface RequestGate {
  readonly methods: ReadonlyArray<string>
  readonly check: (request: UsageRequest) => Effect.Effect<UsageAnswer | undefined>
}

export const RequestGates = Context.Reference<ReadonlyArray<RequestGate>>("effect-sip/dialog/RequestGates", {
  defaultValue: () => []
})
