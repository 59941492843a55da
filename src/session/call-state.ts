/**
 * The call state machine of a session, and why a call ended. States follow the seed's list:
 * Initiating → Ringing → EarlyMedia → Active ⇄ OnHold → Terminating → Terminated.
 */
import { ApplicationError } from "../errors.ts"

export type CallState = "Initiating" | "Ringing" | "EarlyMedia" | "Active" | "OnHold" | "Terminating" | "Terminated"

/** Why a call ended. `Rejected` carries the final status (ours or the peer's). */
export type EndReason =
  | { readonly _tag: "NormalClearing"; readonly by: "local" | "remote" }
  | { readonly _tag: "Cancelled" }
  | { readonly _tag: "Rejected"; readonly status: number; readonly reason: string }
  | { readonly _tag: "TimedOut"; readonly what: "ack" | "transaction" | "media" | "ring" }
  | { readonly _tag: "Failed"; readonly message: string }
  | { readonly _tag: "Shutdown" }
  /** RFC 4028: the session timer ran out without a refresh; we sent BYE. */
  | { readonly _tag: "SessionExpired" }

/** Operations on a call's media and preferences, and the states that allow each. Operations that move
 *  the call (accept, reject, hold, resume, end) are the call machine's (call-machine.ts). */
export type Operation = "dtmf" | "mute" | "record" | "codecs" | "info"

const allowed: Record<Operation, ReadonlyArray<CallState>> = {
  dtmf: ["EarlyMedia", "Active"],
  mute: ["EarlyMedia", "Active", "OnHold"],
  record: ["EarlyMedia", "Active", "OnHold"],
  codecs: ["Initiating", "Ringing", "EarlyMedia", "Active", "OnHold"],
  info: ["Active", "OnHold"]
}

/** The typed error for an operation the current state does not allow, or undefined when it is fine. */
export const checkOperation = (
  sessionId: string,
  state: CallState,
  operation: Operation
): ApplicationError | undefined =>
  allowed[operation].includes(state)
    ? undefined
    : new ApplicationError({
      reason: "InvalidState",
      message: `cannot ${operation} session ${sessionId} in state ${state}`
    })

export const isLive = (state: CallState): boolean => state !== "Terminating" && state !== "Terminated"
