/**
 * The application's answer to a REFER it receives (RFC 3515): a `ReferHandler` returns a `ReferDecision`,
 * as a CallHandler returns a CallDecision for an incoming call.
 */
import { Effect } from "effect"
import type { MediaSource } from "../media/media-engine.ts"

/** What the application learns of a transfer asked of one of its calls. */
export interface IncomingRefer {
  /** The call the REFER came in (the referred call). */
  readonly sessionId: string
  /** Whom to call: the Refer-To URI without its embedded headers. */
  readonly target: string
  /** Attended transfer: the Replaces header the new INVITE carries (RFC 3891), naming a dialog at the target. */
  readonly replaces?: string
  /** Referred-By (RFC 3892), copied into the new INVITE. */
  readonly referredBy?: string
  /** False when the referrer asked for no NOTIFYs (`Refer-Sub: false`, RFC 4488). */
  readonly subscription: boolean
}

export interface ReferAcceptOptions {
  /** What the new call plays; default: the referred call's source. */
  readonly media?: MediaSource
  /** End the referred call (BYE) once the new call is answered; default true. */
  readonly endReferred?: boolean
}

export type ReferDecision =
  | { readonly _tag: "Accept"; readonly options: ReferAcceptOptions }
  | { readonly _tag: "Reject"; readonly status: number; readonly reason?: string }

export const ReferDecision = {
  accept: (options: ReferAcceptOptions = {}): ReferDecision => ({ _tag: "Accept", options }),
  /** 603 Decline unless told. */
  reject: (status = 603, reason?: string): ReferDecision =>
    reason === undefined ? { _tag: "Reject", status } : { _tag: "Reject", status, reason }
} as const

/** Decides each REFER. Failures and defects are answered 500. */
export type ReferHandler = (refer: IncomingRefer) => Effect.Effect<ReferDecision>

/** What `transfer` sends the call to. Blind: the URI to call. Attended: another session, whose peer takes
 *  our place (that call's dialog is replaced there, RFC 3891). */
export type TransferTarget = string | { readonly replaces: string }

/** A stack's handler unless configured: transfers are declined (603). */
export const declineRefers: ReferHandler = () => Effect.succeed(ReferDecision.reject())

/** Every transfer accepted with the defaults (the CLI server's). */
export const acceptRefers: ReferHandler = () => Effect.succeed(ReferDecision.accept())
