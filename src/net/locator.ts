/**
 * What the coordinator uses to find where a call's host name is (RFC 3263): the DNS to ask and the
 * transports we have open. SipStack provides it from its config; without one, the system's DNS and UDP/TCP.
 */
import { Context } from "effect"
import type { TransportKind } from "../transport/transport.ts"
import { type DnsLookup, makeDnsLookup } from "./dns-lookup.ts"

export interface Locator {
  readonly dns: DnsLookup
  readonly transports: ReadonlyArray<TransportKind>
}

export const Locator = Context.Reference<Locator>("effect-sip/net/Locator", {
  defaultValue: () => ({ dns: makeDnsLookup(), transports: ["udp", "tcp"] })
})
