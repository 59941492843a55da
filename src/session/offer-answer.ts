/**
 * The offer/answer exchange of a call (RFC 3264 §4, RFC 6337 §2): at most one offer outstanding, each
 * offer answered before the next. A pure transition function over four states; the SDP itself lives in
 * media-negotiation.ts. Which message carried it (INVITE, 18x, 2xx, ACK, re-INVITE, UPDATE) is the call
 * machine's business: here only who offered and who answered.
 */
import { ApplicationError } from "../errors.ts"

export type OfferAnswerState = "NoOffer" | "OfferSent" | "OfferReceived" | "Answered"
export type OfferAnswerEvent = "LocalOffer" | "RemoteOffer" | "LocalAnswer" | "RemoteAnswer"

export const offerAnswerStates: ReadonlyArray<OfferAnswerState> = ["NoOffer", "OfferSent", "OfferReceived", "Answered"]
export const offerAnswerEvents: ReadonlyArray<OfferAnswerEvent> = ["LocalOffer", "RemoteOffer", "LocalAnswer", "RemoteAnswer"]

/** Valid moves. Once answered, either side may offer again (re-INVITE, UPDATE), and an answer may be
 *  repeated unchanged: an SDP in an unreliable 18x is the answer, and the 2xx carries it again (RFC 6337
 *  §3.1.1). A second offer while one is outstanding is glare (RFC 3261 §14.1: 491). */
const table: Record<OfferAnswerState, Partial<Record<OfferAnswerEvent, OfferAnswerState>>> = {
  NoOffer: { LocalOffer: "OfferSent", RemoteOffer: "OfferReceived" },
  OfferSent: { RemoteAnswer: "Answered" },
  OfferReceived: { LocalAnswer: "Answered" },
  Answered: { LocalOffer: "OfferSent", RemoteOffer: "OfferReceived", LocalAnswer: "Answered", RemoteAnswer: "Answered" }
}

export const stepOfferAnswer = (state: OfferAnswerState, event: OfferAnswerEvent): OfferAnswerState | ApplicationError =>
  table[state][event] ??
    new ApplicationError({ reason: "InvalidState", message: `offer/answer: ${event} in ${state}` })
