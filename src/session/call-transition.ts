/**
 * The building blocks of the call machine's transitions (call-machine.ts): the call record it steps,
 * the moves every event shares (go to a state, end, terminate with a signal, an offer/answer move) and
 * hanging up from any state.
 */
import { ApplicationError } from "../errors.ts"
import type { CallState, EndReason } from "./call-state.ts"
import type { CallAction, CallEvent } from "./call-events.ts"
import { type OfferAnswerEvent, type OfferAnswerState, stepOfferAnswer } from "./offer-answer.ts"

export interface Call {
  readonly direction: "incoming" | "outgoing"
  readonly state: CallState
  /** The final answer to the initial INVITE: none yet, our 2xx sent (ACK awaited), or confirmed. */
  readonly answer: "None" | "Sent" | "Confirmed"
  readonly offerAnswer: OfferAnswerState
  /** Idle until the negotiated media is first applied (the 183's or the ACK's, or the peer's answer). */
  readonly media: "Idle" | "Flowing"
  /** The ending decided but waiting on the peer: the ACK before our BYE, the 487 after our CANCEL. */
  readonly ending: EndReason | undefined
}

export interface Transition {
  readonly call: Call
  readonly actions: ReadonlyArray<CallAction>
}

export const newCall = (direction: Call["direction"]): Call => ({
  direction, state: "Initiating", answer: "None", offerAnswer: "NoOffer", media: "Idle", ending: undefined
})

export const invalid = (call: Call, event: CallEvent) =>
  new ApplicationError({ reason: "InvalidState", message: `${event._tag} in state ${call.state}` })

export const ringing = (state: CallState): boolean => state === "Initiating" || state === "Ringing" || state === "EarlyMedia"
export const established = (state: CallState): boolean => state === "Active" || state === "OnHold"

/** The call in `to` (saying so when it changed), with `actions` after. */
export const go = (call: Call, to: CallState, changes: Partial<Call>, actions: ReadonlyArray<CallAction>): Transition => {
  const next: Call = { ...call, ...changes, state: to }
  return to === call.state
    ? { call: next, actions }
    : { call: next, actions: [{ _tag: "Publish", from: call.state, to }, ...actions] }
}

/** The end, now: the call is Terminated and the coordinator releases it. */
export const end = (call: Call, reason: EndReason, first: ReadonlyArray<CallAction> = [], from = call.state): Transition => ({
  call: { ...call, state: "Terminated" },
  actions: [...first, { _tag: "EndCall", from, reason: call.ending ?? reason }]
})

/** Terminating first (saying so), with the signal that ends the call on the wire, then the end. */
export const terminate = (call: Call, reason: EndReason, signal: CallAction): Transition =>
  end(call, reason, [{ _tag: "Publish", from: call.state, to: "Terminating" }, signal], "Terminating")

/** An SDP exchange failed (RFC 3264 §5: no usable answer): the session cannot go on, so BYE. */
export const exchangeFailed = (call: Call, message: string): Transition =>
  terminate(call, { _tag: "Failed", message }, { _tag: "SendBye" })

/** The offer/answer move an SDP in this event makes, if any. */
export const exchange = (call: Call, event: OfferAnswerEvent | undefined): OfferAnswerState | ApplicationError =>
  event === undefined ? call.offerAnswer : stepOfferAnswer(call.offerAnswer, event)

/** The peer's offer and our answer to it, in one message exchange (its 18x/PRACK or 2xx/ACK). */
export const answeredOffer = (call: Call): OfferAnswerState | ApplicationError => {
  const offered = exchange(call, "RemoteOffer")
  return offered instanceof ApplicationError ? offered : stepOfferAnswer(offered, "LocalAnswer")
}

/** Media to (re)apply after an answer: the first time it starts (MediaStarted), later it changes. */
export const media = (call: Call): CallAction => call.media === "Idle" ? { _tag: "StartMedia" } : { _tag: "ApplyNegotiated" }

export const hangUp = (call: Call, reason: EndReason): Transition => {
  if (established(call.state)) return terminate(call, reason, { _tag: "SendBye" })
  // Our 2xx is out, its ACK not in: BYE only after the ACK (§15); without one the dialog layer BYEs.
  if (call.answer === "Sent") return go(call, "Terminating", { ending: reason }, [])
  const signal: CallAction = call.direction === "incoming" ? { _tag: "RejectInvite", status: 480 } : { _tag: "SendCancel" }
  return terminate(call, reason, signal)
}

