/**
 * The progress of an INVITE we sent, as the call sees it: 180 → Ringing; 183 with SDP → EarlyMedia with
 * media from the early answer; 2xx → Active (and its session timer, RFC 4028); 3xx and 422 → the INVITE
 * goes again (outgoing-call.ts); other 4xx–6xx → ended, Rejected with the peer's status. A late-offer
 * INVITE's SDP is the peer's offer: the dialog layer sends our answer (PRACK or ACK) and we learn it here.
 */
import { Effect } from "effect"
import type { Body, OutgoingInviteEvent } from "../dialog/dialog-layer.ts"
import { getHeaders, isParseError, parseNameAddr } from "../sip/index.ts"
import type { SipResponse } from "../sip/message.ts"
import { react } from "./call-actions.ts"
import type { CoordinatorContext } from "./context.ts"
import { heard } from "./context.ts"
import { acceptAnswer, answerOffer, bodyText, sdpBody } from "./media-negotiation.ts"
import type { SessionRecord } from "./session-record.ts"
import { armSessionTimer } from "./session-timer.ts"
import { fromAnswer, retryInterval } from "./session-timer-rules.ts"

/** The first Contact URI of a 3xx, if any. */
const redirectTarget = (response: SipResponse): string | undefined => {
  for (const value of getHeaders(response, "contact")) {
    const parsed = parseNameAddr(value)
    if (!isParseError(parsed)) return parsed.uri
  }
  return undefined
}

/** Read the callee's early or final SDP: true when it is a usable answer (kept for the media). */
const readAnswer = (record: SessionRecord, offer: string, response: SipResponse): Effect.Effect<boolean> => {
  if (response.body.length === 0 || record.local === undefined) return Effect.succeed(false)
  const result = acceptAnswer(record.local, offer, bodyText(response.body))
  if (result._tag !== "Negotiated") {
    return Effect.as(
      Effect.logWarning("unusable SDP answer", { session: record.id, status: response.status, problem: result.message }),
      false
    )
  }
  record.negotiated = result.negotiated
  return Effect.succeed(true)
}

/** A late-offer call (no SDP in our INVITE): whether our answer to the peer's offer went out (into a PRACK
 *  or the ACK, RFC 3262 §5) since the last event was read; undefined when no offer came. */
export interface LateOffer {
  took: boolean | undefined
}

/** InviteOptions.answer for a late-offer call: the answer, its negotiation kept for the media. */
export const lateAnswer = (record: SessionRecord, late: LateOffer) => (offer: Body): Body | undefined => {
  const result = record.local === undefined ? undefined : answerOffer(record.local, bodyText(offer.bytes))
  late.took = result?._tag === "Answered"
  if (result?._tag !== "Answered") return undefined
  record.negotiated = result.negotiated
  return sdpBody(result.sdp)
}

/** What a late-offer call's 18x or 2xx did to its exchange: an offer answered (or not), or nothing. */
const lateSdp = (late: LateOffer): { readonly sdp: boolean; readonly offer?: boolean } => {
  const took = late.took
  late.took = undefined
  return took === undefined ? { sdp: false } : { sdp: took, offer: true }
}

/** Why the INVITE goes again: a 3xx's target, or a 422's larger session interval (RFC 4028 §7.4). */
export type Retry =
  | { readonly _tag: "Redirect"; readonly target: string }
  | { readonly _tag: "TooBrief"; readonly interval: number }

/** One event of an INVITE we sent. Returns why it must go again, else undefined. Module-level generator
 *  functions here and in outgoing-call.ts: one for every call, not one made per call (see bench/pinned-calls.ts). */
export const onInviteEvent = Effect.fnUntraced(function*(
  ctx: CoordinatorContext,
  record: SessionRecord,
  offer: string | LateOffer,
  event: OutgoingInviteEvent
) {
  if (record.call.state === "Terminated") return undefined
  heard(ctx, record)
  const { status } = event.response
  switch (event._tag) {
    case "Provisional": {
      if (status === 100) return undefined
      if (typeof offer !== "string") yield* react(ctx, record, { _tag: "Provisional", status, ...lateSdp(offer) })
      else yield* react(ctx, record, { _tag: "Provisional", status, sdp: yield* readAnswer(record, offer, event.response) })
      return undefined
    }
    case "Answered": {
      if (typeof offer !== "string") yield* react(ctx, record, { _tag: "Answered", ...lateSdp(offer) })
      else yield* react(ctx, record, { _tag: "Answered", sdp: yield* readAnswer(record, offer, event.response) })
      yield* Effect.logInfo("call answered", { session: record.id, callId: record.callId })
      record.sessionTimer = fromAnswer(event.response)
      yield* armSessionTimer(ctx, record)
      return undefined
    }
    case "Failed": {
      const target = status >= 300 && status < 400 ? redirectTarget(event.response) : undefined
      if (target !== undefined) return { _tag: "Redirect", target } satisfies Retry
      const interval = status === 422 ? retryInterval(event.response, ctx.config) : undefined
      if (interval !== undefined) return { _tag: "TooBrief", interval } satisfies Retry
      yield* react(ctx, record, { _tag: "Rejected", status, reason: event.response.reason })
      return undefined
    }
  }
})
