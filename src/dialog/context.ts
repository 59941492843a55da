/**
 * What every part of the dialog layer shares: the transaction layer below, the store, the timers, the
 * event outlet, the timer lanes (2xx retransmission) and the fibers it runs (UAC response followers).
 */
import { Effect, type FiberSet, type Scope } from "effect"
import type { TimerLanes } from "../timers/timer-lanes.ts"
import type { TimerSlots } from "../timers/slots.ts"
import type { TimerConfig } from "../transaction/config.ts"
import type { TransactionLayer } from "../transaction/transaction-layer.ts"
import type { Endpoint, TransportKind } from "../transport/transport.ts"
import type { Claims } from "./capabilities.ts"
import type { DialogEvent } from "./dialog-layer.ts"
import type { DialogStore } from "./dialog-store.ts"
import type { RequestGate, RequestUsage } from "./usage.ts"

/** One dialog's 2xx retransmission (§13.3.1.4): the next copy in `retransmit`, the 64*T1 give-up (no ACK:
 *  BYE) in `expiry`, and where the T1-doubling schedule stands. */
export interface TwoXxTimers extends TimerSlots {
  interval: number
  /** Time from the first 2xx to the last copy sent. */
  elapsed: number
}

export interface DialogContext {
  readonly transactions: TransactionLayer["Service"]
  readonly store: DialogStore
  readonly contactHost: string
  readonly userAgent: string | undefined
  readonly timers: TimerConfig
  /** Backpressure: suspends while the events queue is full (used by the network-driven loop and timers). */
  readonly emit: (event: DialogEvent) => Effect.Effect<void>
  /** For events raised inside a command: never blocks the caller (who may be the events consumer). */
  readonly emitLater: (event: DialogEvent) => Effect.Effect<void>
  /** The layer's own timer lanes (in its scope): no fiber per dialog for the 2xx retransmission. */
  readonly lanes: TimerLanes
  /** Dialogs whose 2xx is retransmitted until the ACK (§13.3.1.4), by dialog id; empty when all are ACKed. */
  readonly retransmits: Map<string, TwoXxTimers>
  /** Followers of client transactions (UAC INVITE responses, in-dialog requests, BYEs we send). */
  readonly background: FiberSet.FiberSet<void, never>
  readonly scope: Scope.Scope
  /** RFC 3262: to a caller that supports 100rel, every 18x goes reliably, or only those with a body. */
  readonly reliableProvisionals: "all" | "sdp"
  /** After `drain`: new calls and OPTIONS get 503 (uas-policy.ts). */
  readonly admission: { draining: boolean }
  /** Out-of-dialog methods answered by a usage above (usage.ts), by method; their names join Allow. */
  readonly usages: ReadonlyMap<string, RequestUsage>
  readonly claims: Claims
  /** Checks before a request goes on (usage.ts), by method. */
  readonly gates: ReadonlyMap<string, RequestGate>
}

/** The listener for a transport: its port goes in Contact and Via. */
export const localFor = (ctx: DialogContext, transport: TransportKind): Endpoint =>
  ctx.transactions.local.find((l) => l.transport === transport) ??
    ctx.transactions.local[0] ??
    { transport, host: ctx.contactHost, port: 5060 }

/** §25.1: an IPv6 reference goes in brackets in URIs and sent-by. */
const hostPart = (host: string): string => (host.includes(":") && !host.startsWith("[") ? `[${host}]` : host)

/** `<sip:host:port;transport=…>` (§8.1.1.8). */
export const contactFor = (ctx: DialogContext, local: Endpoint): string =>
  `<sip:${hostPart(ctx.contactHost)}:${local.port};transport=${local.transport}>`

/** §8.1.1.7 + RFC 3581: our Via with the given branch, asking for rport; over TCP/TLS also for the
 *  peer's requests to come down our connection (RFC 5923 `alias`: our TLS may have no listener). */
export const viaFor = (ctx: DialogContext, local: Endpoint, branch: string): string =>
  `SIP/2.0/${local.transport.toUpperCase()} ${hostPart(ctx.contactHost)}:${local.port};branch=${branch};rport${
    local.transport === "tcp" || local.transport === "tls" ? ";alias" : ""
  }`

export const userAgentHeaders = (ctx: DialogContext): ReadonlyArray<readonly [string, string]> =>
  ctx.userAgent === undefined ? [] : [["User-Agent", ctx.userAgent]]

/** Wrap a bare URI as a name-addr, so header parameters (tag) attach to the header, not the URI. */
export const asNameAddr = (value: string): string => (value.includes("<") ? value : `<${value}>`)

export const ignoreFailure = <A, E, R>(effect: Effect.Effect<A, E, R>): Effect.Effect<void, never, R> =>
  Effect.catchCause(Effect.asVoid(effect), (cause) => Effect.logDebug("dialog layer: send failed", cause))
