/**
 * The calls and events the call-machine table test crosses: one call for every state the machine
 * tells apart (state × final answer × offer/answer × media), and one event of every kind and variant.
 */
import type { Call, CallEvent } from "../../src/session/call-machine.ts"
import { startCall } from "../../src/session/call-machine.ts"

const incoming = startCall("incoming", true)
const outgoing = startCall("outgoing", true)
const bye = { _tag: "NormalClearing", by: "local" } as const

export const calls: Record<string, Call> = {
  "in Initiating": incoming,
  "in Initiating late-offer": startCall("incoming", false),
  "in Ringing": { ...incoming, state: "Ringing" },
  "in EarlyMedia": { ...incoming, state: "EarlyMedia", offerAnswer: "Answered", media: "Flowing" },
  "in EarlyMedia updating": { ...incoming, state: "EarlyMedia", offerAnswer: "OfferSent", media: "Flowing" },
  "in Ringing offered-in-183": { ...startCall("incoming", false), state: "Ringing", offerAnswer: "OfferSent" },
  "in 2xx-sent": { ...incoming, answer: "Sent", offerAnswer: "Answered" },
  "in 2xx-sent late-offer": { ...incoming, answer: "Sent", offerAnswer: "OfferSent" },
  "in Active": { ...incoming, state: "Active", answer: "Confirmed", offerAnswer: "Answered", media: "Flowing" },
  "in Active offered-in-200": { ...incoming, state: "Active", answer: "Confirmed", offerAnswer: "OfferSent", media: "Flowing" },
  "in OnHold": { ...incoming, state: "OnHold", answer: "Confirmed", offerAnswer: "Answered", media: "Flowing" },
  "in Terminating awaiting-ack": { ...incoming, state: "Terminating", answer: "Sent", offerAnswer: "Answered", ending: bye },
  "in Terminated": { ...incoming, state: "Terminated" },
  "out Initiating": outgoing,
  "out Ringing": { ...outgoing, state: "Ringing" },
  "out Initiating late-offer": startCall("outgoing", false),
  "out Ringing late-offer": { ...startCall("outgoing", false), state: "Ringing" },
  "out EarlyMedia": { ...outgoing, state: "EarlyMedia", offerAnswer: "Answered", media: "Flowing" },
  "out EarlyMedia updating": { ...outgoing, state: "EarlyMedia", offerAnswer: "OfferSent", media: "Flowing" },
  "out Ringing ring-timed-out": { ...outgoing, state: "Ringing", ending: { _tag: "TimedOut", what: "ring" } },
  "out Active": { ...outgoing, state: "Active", answer: "Confirmed", offerAnswer: "Answered", media: "Flowing" },
  "out Active re-offering": { ...outgoing, state: "Active", answer: "Confirmed", offerAnswer: "OfferSent", media: "Flowing" },
  "out OnHold": { ...outgoing, state: "OnHold", answer: "Confirmed", offerAnswer: "Answered", media: "Flowing" }
}

export const events: Record<string, CallEvent> = {
  "Provisional 100": { _tag: "Provisional", status: 100, sdp: false },
  "Provisional 180": { _tag: "Provisional", status: 180, sdp: false },
  "Provisional 183 sdp": { _tag: "Provisional", status: 183, sdp: true },
  "Accepted": { _tag: "Accepted" },
  "Provisional 183 offer": { _tag: "Provisional", status: 183, sdp: true, offer: true },
  "Provisional 183 offer unanswered": { _tag: "Provisional", status: 183, sdp: false, offer: true },
  "PrackReceived sdp": { _tag: "PrackReceived", sdp: true },
  "PrackReceived no-sdp": { _tag: "PrackReceived", sdp: false },
  "Answered offer": { _tag: "Answered", sdp: true, offer: true },
  "Answered offer unanswered": { _tag: "Answered", sdp: false, offer: true },
  "Answered sdp": { _tag: "Answered", sdp: true },
  "Answered no-sdp": { _tag: "Answered", sdp: false },
  "AckReceived sdp": { _tag: "AckReceived", sdp: true },
  "AckReceived no-sdp": { _tag: "AckReceived", sdp: false },
  "ReinviteReceived sdp": { _tag: "ReinviteReceived", sdp: true, remoteHold: false },
  "ReinviteReceived sdp hold": { _tag: "ReinviteReceived", sdp: true, remoteHold: true },
  "ReinviteReceived no-sdp": { _tag: "ReinviteReceived", sdp: false, remoteHold: false },
  "UpdateReceived": { _tag: "UpdateReceived", remoteHold: false },
  "UpdateReceived hold": { _tag: "UpdateReceived", remoteHold: true },
  "Update": { _tag: "Update" },
  "Hold": { _tag: "Hold" },
  "Resume": { _tag: "Resume" },
  "ReofferAnswered hold": { _tag: "ReofferAnswered", ok: true, hold: true },
  "ReofferAnswered resume": { _tag: "ReofferAnswered", ok: true, hold: false },
  "ReofferAnswered refused": { _tag: "ReofferAnswered", ok: false, hold: true },
  "Bye remote": { _tag: "Bye", by: "remote" },
  "Bye local": { _tag: "Bye", by: "local", reason: { _tag: "NormalClearing", by: "local" } },
  "Cancelled": { _tag: "Cancelled" },
  "Reject 486": { _tag: "Reject", status: 486, reason: "Busy Here" },
  "Rejected 487": { _tag: "Rejected", status: 487, reason: "Request Terminated" },
  "Rejected 486": { _tag: "Rejected", status: 486, reason: "Busy Here" },
  "Timeout ring": { _tag: "Timeout", what: "ring" },
  "Timeout ack": { _tag: "Timeout", what: "ack" },
  "Timeout transaction": { _tag: "Timeout", what: "transaction" },
  "Timeout media": { _tag: "Timeout", what: "media" },
  "Failed": { _tag: "Failed", message: "boom" }
}
