/**
 * The application's answer to an incoming call: a `CallHandler` returns a `CallDecision`.
 */
import type { Effect } from "effect"
import type { MediaSource } from "../media/media-engine.ts"
import type { DtmfMethod, IncomingCall } from "./session-events.ts"

/** answer: 200 at once; ring: 180, wait, 200; early-media: 183 with SDP and media, wait, 200. */
export type AcceptMode = "answer" | "ring" | "early-media"

export interface AcceptOptions {
  readonly mode?: AcceptMode
  /** How long to ring or play early media before the 200, in ms. */
  readonly delayMs?: number
  /** What the call plays; the server's default source when absent. */
  readonly media?: MediaSource
  /** How sendDtmf sends this call's digits unless told (default RFC 4733). */
  readonly dtmf?: DtmfMethod
}

export type CallDecision =
  | { readonly _tag: "Accept"; readonly options: AcceptOptions }
  | { readonly _tag: "Reject"; readonly status: number; readonly reason?: string }
  /** Decide later through the manager's `accept`/`reject`. */
  | { readonly _tag: "Defer" }

export const CallDecision = {
  accept: (options: AcceptOptions = {}): CallDecision => ({ _tag: "Accept", options }),
  reject: (status: number, reason?: string): CallDecision =>
    reason === undefined ? { _tag: "Reject", status } : { _tag: "Reject", status, reason },
  defer: { _tag: "Defer" } as CallDecision
} as const

/** Decides what happens to each incoming call. Failures and defects are answered 500 by the server. */
export type CallHandler = (call: IncomingCall) => Effect.Effect<CallDecision>
