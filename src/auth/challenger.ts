/**
 * The server side of digest authentication (RFC 3261 §22, RFC 7616, RFC 8760): a Challenger decides
 * whether a request may go on, or answers it (401/407 with MD5 and SHA-256 challenges, 403 for a source
 * that failed too often). The contract only; challenger-live.ts implements it over a UserStore.
 */
import { Context, type Effect } from "effect"
import type { SipRequest } from "../sip/message.ts"

export interface AuthAnswer {
  readonly status: number
  readonly options: { readonly reason?: string; readonly headers: ReadonlyArray<readonly [string, string]> }
}

export type AuthVerdict =
  | { readonly _tag: "Authorized"; readonly username: string }
  | { readonly _tag: "Refused"; readonly answer: AuthAnswer }

export interface AuthCounts {
  /** Failed attempts (wrong password, unknown user, forged nonce, replay). */
  readonly failures: number
  /** Requests refused with 403 because their source failed too often. */
  readonly throttled: number
}

export class Challenger extends Context.Service<Challenger, {
  /** `source`: the sender's address (the key of the failure limit). */
  check(request: SipRequest, source: string): Effect.Effect<AuthVerdict>
  readonly counts: Effect.Effect<AuthCounts>
}>()("effect-sip/auth/Challenger") {}
