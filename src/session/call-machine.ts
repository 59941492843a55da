/**
 * The life of one call as a pure transition function: call × event → call + actions, or a typed error
 * for an event the call's state does not allow. The coordinator executes the actions (call-actions.ts);
 * every "may I", and when media starts, is decided here and nowhere else.
 */
import { ApplicationError } from "../errors.ts"
import type { CallState, EndReason } from "./call-state.ts"
import type { CallAction, CallEvent } from "./call-events.ts"
import {
  answeredOffer,
  type Call,
  end,
  established,
  exchange,
  exchangeFailed,
  go,
  hangUp,
  invalid,
  media,
  newCall,
  ringing,
  terminate,
  type Transition
} from "./call-transition.ts"

export type { CallAction, CallEvent } from "./call-events.ts"
export type { Call, Transition } from "./call-transition.ts"

/** A call as its initial INVITE left it (the Invited transition: a call exists from its INVITE on): ours
 *  (outgoing, with our offer) or the peer's, with or without an offer. */
export const startCall = (direction: Call["direction"], offer: boolean): Call => {
  const call = newCall(direction)
  return offer ? { ...call, offerAnswer: direction === "incoming" ? "OfferReceived" : "OfferSent" } : call
}

/** RFC 3262 §5, no SDP in the INVITE: an offer in a reliable 18x, ours (incoming; its answer comes in the
 *  PRACK) or the peer's (outgoing; `answered`: ours went out in the PRACK, else CANCEL). */
const earlyOffer = (call: Call, event: CallEvent, answered: boolean): Transition | ApplicationError => {
  if (call.offerAnswer !== "NoOffer") return invalid(call, event)
  const to: CallState = call.state === "EarlyMedia" ? "EarlyMedia" : "Ringing"
  if (call.direction === "incoming") {
    const offerAnswer = exchange(call, "LocalOffer")
    return offerAnswer instanceof ApplicationError ? offerAnswer : go(call, to, { offerAnswer }, [])
  }
  const offerAnswer = answeredOffer(call)
  if (offerAnswer instanceof ApplicationError) return offerAnswer
  if (!answered) return hangUp(call, { _tag: "Failed", message: "unusable SDP offer in the 18x" })
  return go(call, "EarlyMedia", { offerAnswer, media: "Flowing" }, [media(call)])
}

export const step = (call: Call, event: CallEvent): Transition | ApplicationError => {
  const { state } = call
  if (state === "Terminated") return invalid(call, event)
  const live = state !== "Terminating"
  const early = ringing(state) && call.answer === "None"
  const incoming = call.direction === "incoming"
  // Early, an offer of ours is out with media flowing only when it is an UPDATE: the INVITE's was answered.
  const updating = early && call.offerAnswer === "OfferSent" && call.media === "Flowing"
  switch (event._tag) {
    case "Provisional": {
      if (!early || event.status < 101) return early ? { call, actions: [] } : invalid(call, event)
      if (event.offer === true) return earlyOffer(call, event, event.sdp)
      const to: CallState = event.sdp ? "EarlyMedia" : state === "EarlyMedia" ? "EarlyMedia" : "Ringing"
      if (!event.sdp) return go(call, to, {}, [])
      // While our early UPDATE is out, an 18x's SDP only repeats the INVITE's answer (RFC 6337 §3.1.1).
      const offerAnswer = updating ? call.offerAnswer : exchange(call, incoming ? "LocalAnswer" : "RemoteAnswer")
      if (offerAnswer instanceof ApplicationError) return offerAnswer
      return go(call, to, { offerAnswer, media: "Flowing" }, [media(call)])
    }
    case "Accepted": {
      if (!early || !incoming) return invalid(call, event)
      const offerAnswer = exchange(call, call.offerAnswer === "NoOffer" ? "LocalOffer" : "LocalAnswer")
      if (offerAnswer instanceof ApplicationError) return offerAnswer
      // Media starts at the ACK, not the 200: a caller that never ACKs gets no RTP (see answer-call.ts).
      return { call: { ...call, answer: "Sent", offerAnswer }, actions: [] }
    }
    case "Answered": {
      const offered = event.offer === true
      if (!early || incoming || (offered && call.offerAnswer !== "NoOffer")) return invalid(call, event)
      const offerAnswer = offered
        ? event.sdp ? answeredOffer(call) : exchange(call, "RemoteOffer")
        : updating
        ? call.offerAnswer
        : exchange(call, event.sdp ? "RemoteAnswer" : undefined)
      if (offerAnswer instanceof ApplicationError) return offerAnswer
      // A 2xx that crossed our CANCEL (ring timeout) wins: the call goes on, that ending is void.
      const confirmed: Call = { ...call, answer: "Confirmed", offerAnswer, ending: undefined }
      if (offerAnswer !== "Answered" && !updating) return exchangeFailed(confirmed, "no SDP answer in the 2xx")
      return go(confirmed, "Active", { media: "Flowing" }, event.sdp || call.media === "Idle" ? [media(call)] : [])
    }
    case "PrackReceived": {
      if (!early || !incoming || call.offerAnswer !== "OfferSent" || updating) return invalid(call, event)
      if (!event.sdp) return terminate(call, { _tag: "Failed", message: "no SDP answer in the PRACK" }, { _tag: "RejectInvite", status: 488 })
      return go(call, "EarlyMedia", { offerAnswer: "Answered", media: "Flowing" }, [media(call)])
    }
    case "AckReceived": {
      // Incoming: the ACK of our 2xx; either side: the ACK of our 2xx to the peer's re-INVITE.
      if (call.answer === "None") return invalid(call, event)
      const awaited = call.offerAnswer === "OfferSent"
      const offerAnswer = awaited && event.sdp ? "Answered" : call.offerAnswer
      const confirmed: Call = { ...call, answer: "Confirmed", offerAnswer }
      // RFC 3264: we offered in the 2xx, so the ACK must answer; without it the exchange failed.
      if (awaited && !event.sdp) return exchangeFailed(confirmed, "no SDP answer in the ACK")
      // Hung up while the ACK was awaited: now the BYE may go.
      if (!live) return end(confirmed, { _tag: "NormalClearing", by: "local" }, [{ _tag: "SendBye" }])
      const first = call.answer === "Sent"
      const actions: ReadonlyArray<CallAction> = first && call.media === "Idle" || awaited ? [media(call)] : []
      return go(confirmed, first && ringing(state) ? "Active" : state, { media: "Flowing" }, actions)
    }
    case "ReinviteReceived": {
      if (!established(state)) return invalid(call, event)
      if (!event.sdp) {
        const offerAnswer = exchange(call, "LocalOffer")
        return offerAnswer instanceof ApplicationError ? offerAnswer : { call: { ...call, offerAnswer }, actions: [] }
      }
      const offerAnswer = exchange(call, "RemoteOffer")
      if (offerAnswer instanceof ApplicationError) return offerAnswer
      return go(call, event.remoteHold ? "OnHold" : "Active", { offerAnswer: "Answered" }, [{ _tag: "ApplyNegotiated" }])
    }
    case "UpdateReceived": {
      // RFC 3311 §5.2: an offer in an early dialog once the INVITE's exchange is done, or in a confirmed one.
      const earlyUpdate = early && call.offerAnswer === "Answered"
      if (!earlyUpdate && !established(state)) return invalid(call, event)
      const offerAnswer = exchange(call, "RemoteOffer")
      if (offerAnswer instanceof ApplicationError) return offerAnswer
      const answered: Partial<Call> = { offerAnswer: "Answered" }
      if (earlyUpdate) return { call: { ...call, ...answered }, actions: call.media === "Flowing" ? [{ _tag: "ApplyNegotiated" }] : [] }
      return go(call, event.remoteHold ? "OnHold" : "Active", answered, [{ _tag: "ApplyNegotiated" }])
    }
    case "Update": {
      // RFC 3311 §5.1: in an early dialog only once the INVITE's own exchange is done.
      if (!established(state) && !(early && call.offerAnswer === "Answered")) return invalid(call, event)
      const offerAnswer = exchange(call, "LocalOffer")
      return offerAnswer instanceof ApplicationError ? offerAnswer : { call: { ...call, offerAnswer }, actions: [] }
    }
    case "Hold":
    case "Resume": {
      if (state !== (event._tag === "Hold" ? "Active" : "OnHold")) return invalid(call, event)
      const offerAnswer = exchange(call, "LocalOffer")
      return offerAnswer instanceof ApplicationError ? offerAnswer : { call: { ...call, offerAnswer }, actions: [] }
    }
    case "ReofferAnswered": {
      if (!(established(state) || updating) || call.offerAnswer !== "OfferSent") return invalid(call, event)
      if (!event.ok) return { call: { ...call, offerAnswer: "Answered" }, actions: [] } // RFC 3264 §8: the old session stays
      // Our early UPDATE's answer changes the early media; the call keeps ringing.
      if (updating) return { call: { ...call, offerAnswer: "Answered" }, actions: [{ _tag: "ApplyNegotiated" }] }
      return go(call, event.hold ? "OnHold" : "Active", { offerAnswer: "Answered" }, [{ _tag: "ApplyNegotiated" }])
    }
    case "Bye":
      if (event.by === "remote") return end(call, { _tag: "NormalClearing", by: "remote" })
      return live ? hangUp(call, event.reason) : invalid(call, event)
    case "Cancelled":
      return early && incoming ? end(call, { _tag: "Cancelled" }) : invalid(call, event)
    case "Reject": {
      if (!early || !incoming) return invalid(call, event)
      const reason: EndReason = event.ending ?? { _tag: "Rejected", status: event.status, reason: event.reason ?? "" }
      return end(call, reason, [{ _tag: "RejectInvite", status: event.status, reason: event.reason, retryAfterSeconds: event.retryAfterSeconds }])
    }
    case "Rejected": {
      if (incoming || call.answer !== "None") return invalid(call, event)
      return end(call, event.status === 487 ? { _tag: "Cancelled" } : { _tag: "Rejected", status: event.status, reason: event.reason })
    }
    case "Timeout":
      switch (event.what) {
        case "ring":
          if (!early) return invalid(call, event)
          return incoming
            ? end(call, { _tag: "TimedOut", what: "ring" }, [{ _tag: "RejectInvite", status: 480 }])
            : { call: { ...call, ending: { _tag: "TimedOut", what: "ring" } }, actions: [{ _tag: "SendCancel" }] }
        case "media":
          return live ? hangUp(call, { _tag: "TimedOut", what: "media" }) : invalid(call, event)
        default:
          return end(call, { _tag: "TimedOut", what: event.what })
      }
    case "Failed":
      return end(call, { _tag: "Failed", message: event.message })
  }
}
