/**
 * Placing a call (UAC): media first (ports, our SDP offer), then the INVITE; its progress drives the
 * call state. 180 → Ringing; 183 with SDP → EarlyMedia with media from the early answer; 2xx → Active
 * (the dialog layer ACKs it, and ACKs then BYEs a second 2xx from another fork); 3xx → the INVITE is
 * sent again to the first Contact (bounded hops); 4xx–6xx → ended, Rejected with the peer's status.
 */
import { Effect, Exit, Scope, Stream } from "effect"
import { checkCodecs } from "./codec-check.ts"
import type { InviteOptions, OutgoingInviteEvent } from "../dialog/dialog-layer.ts"
import { ApplicationError } from "../errors.ts"
import { getHeaders, isParseError, parseNameAddr } from "../sip/index.ts"
import type { SipResponse } from "../sip/message.ts"
import { react } from "./call-actions.ts"
import { startCall } from "./call-machine.ts"
import type { CallOptions } from "./call-options.ts"
import type { CoordinatorContext } from "./context.ts"
import { defaultLocalUri } from "./config.ts"
import { heard, publish } from "./context.ts"
import { acceptAnswer, bodyText, makeOffer, newLocalMedia, sdpBody } from "./media-negotiation.ts"
import type { SessionRecord } from "./session-record.ts"
import { nextSessionId } from "./session-record.ts"
import { watchMedia } from "./media-watch.ts"

const maxRedirects = 3

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

/** One event of an INVITE we sent. Returns a 3xx's redirect target, else undefined. Module-level generator
 *  functions here and below: one for every call, not one made per call (see bench/pinned-calls.ts). */
const onInviteEvent = Effect.fnUntraced(function*(
  ctx: CoordinatorContext,
  record: SessionRecord,
  offer: string,
  event: OutgoingInviteEvent
) {
  if (record.call.state === "Terminated") return undefined
  heard(ctx, record)
  const { status } = event.response
  switch (event._tag) {
    case "Provisional": {
      if (status === 100) return undefined
      const sdp = yield* readAnswer(record, offer, event.response)
      yield* react(ctx, record, { _tag: "Provisional", status, sdp })
      return undefined
    }
    case "Answered": {
      const sdp = yield* readAnswer(record, offer, event.response)
      yield* react(ctx, record, { _tag: "Answered", sdp })
      yield* Effect.logInfo("call answered", { session: record.id, callId: record.callId })
      return undefined
    }
    case "Failed": {
      const target = status >= 300 && status < 400 ? redirectTarget(event.response) : undefined
      if (target !== undefined) return target
      yield* react(ctx, record, { _tag: "Rejected", status, reason: event.response.reason })
      return undefined
    }
  }
})

/** Follow one INVITE's progress. Returns the next target for a 3xx, or undefined when the call is settled. */
const follow = (ctx: CoordinatorContext, record: SessionRecord, offer: string, events: Stream.Stream<OutgoingInviteEvent, unknown>) =>
  Effect.suspend(() => {
    let redirect: string | undefined
    return Stream.runForEach(events, (event) =>
      Effect.map(onInviteEvent(ctx, record, offer, event), (target) => {
        if (target !== undefined) redirect = target
      })).pipe(Effect.map(() => redirect))
  }).pipe(
    Effect.catch((error) =>
      react(ctx, record, { _tag: "Failed", message: `INVITE failed: ${describe(error)}` }).pipe(Effect.as(undefined))
    )
  )

// The reason, and the message when there is one ("ConnectFailed: TLS to … refused: UnknownCA (…)").
const describe = (error: unknown): string => {
  if (typeof error !== "object" || error === null || !("reason" in error)) return String(error)
  const { message, reason } = error as { reason: unknown; message?: unknown }
  return typeof message === "string" && message.length > 0 ? `${String(reason)}: ${message}` : String(reason)
}

/** One INVITE of the call: the first, or the next after a redirect (`hops` so far). */
interface Attempt {
  readonly invite: InviteOptions
  readonly offer: string
  readonly hops: number
}

/** Send the INVITE (again, after a redirect) and follow it; redirects are bounded. */
const sendAndFollow = Effect.fnUntraced(function*(ctx: CoordinatorContext, record: SessionRecord, attempt: Attempt) {
  const { invite, offer, hops } = attempt
  const outgoing = yield* ctx.dialog.invite({ ...invite, body: sdpBody(offer) })
  ctx.registry.bindLeg(record, outgoing.dialogId)
  record.callId = outgoing.callId
  const next = yield* follow(ctx, record, offer, outgoing.events)
  if (next === undefined || record.call.state === "Terminated") return
  if (hops >= maxRedirects) {
    return yield* react(ctx, record, { _tag: "Failed", message: `more than ${maxRedirects} redirects` })
  }
  yield* Effect.logInfo("call redirected", { session: record.id, to: next })
  const destination = ctx.resolve(next) ?? invite.destination
  // A redirect continues this call leg: same Call-ID and From-tag, higher CSeq (§8.1.3.4).
  const redirected: InviteOptions = { ...invite, continues: outgoing.dialogId, target: next, to: `<${next}>`, destination }
  yield* run(ctx, record, { invite: redirected, offer, hops: hops + 1 })
})

const run = (ctx: CoordinatorContext, record: SessionRecord, attempt: Attempt): Effect.Effect<void> =>
  sendAndFollow(ctx, record, attempt).pipe(
    Effect.catch((error) => react(ctx, record, { _tag: "Failed", message: `INVITE not sent: ${describe(error)}` }))
  )

/** Place a call; returns its session id at once. Progress arrives on the SessionEvent stream. */
export const placeCall = Effect.fnUntraced(function*(ctx: CoordinatorContext, options: CallOptions) {
  if (!ctx.accepting) return yield* new ApplicationError({ reason: "InvalidState", message: "shutting down" })
  if (ctx.registry.size >= ctx.config.maxCalls) {
    return yield* new ApplicationError({ reason: "LimitReached", message: `${ctx.config.maxCalls} calls already` })
  }
  const badCodecs = options.codecs === undefined ? undefined : checkCodecs(options.codecs)
  if (badCodecs !== undefined) return yield* badCodecs
  const destination = options.destination ?? ctx.resolve(options.target)
  if (destination === undefined) {
    return yield* new ApplicationError({ reason: "InvalidArgument", message: `not a SIP URI: ${options.target}` })
  }
  const scope = yield* Scope.make()
  const media = yield* ctx.media.open(options.media ?? ctx.config.defaultMedia).pipe(
    Scope.provide(scope),
    Effect.catchTag("NetworkError", (error) =>
      Effect.andThen(
        Scope.close(scope, Exit.void),
        Effect.fail(new ApplicationError({ reason: "LimitReached", message: `no media ports: ${error.reason}` }))
      ))
  )
  const record: SessionRecord = {
    id: nextSessionId(),
    legId: "",
    callId: "",
    call: startCall("outgoing", true),
    scope,
    media,
    source: options.media ?? ctx.config.defaultMedia,
    local: newLocalMedia(media.localAddress, media.localPort, options.codecs ?? ctx.config.codecs),
    remoteOffer: undefined,
    negotiated: undefined,
    codecs: options.codecs,
    heardAt: ctx.clock.currentTimeMillisUnsafe(),
    packetsHeard: 0
  }
  ctx.registry.add(record)
  yield* publish(ctx, { _tag: "OutgoingCall", sessionId: record.id, target: options.target })
  yield* watchMedia(ctx, record, media, scope)
  const offer = makeOffer(record.local!, "sendrecv")
  const credentials = options.credentials ?? ctx.config.credentials
  const invite: InviteOptions = {
    target: options.target,
    from: options.from ?? ctx.config.localUri ?? defaultLocalUri,
    to: options.to ?? `<${options.target}>`,
    destination,
    ...(options.headers === undefined ? {} : { headers: options.headers }),
    ...(credentials === undefined ? {} : { credentials })
  }
  yield* run(ctx, record, { invite, offer, hops: 0 }).pipe(Effect.forkIn(scope))
  const ringTimeout = options.ringTimeoutMs ?? ctx.config.ringTimeoutMs
  if (ringTimeout > 0) yield* ringTimer(ctx, record, ringTimeout).pipe(Effect.forkIn(scope))
  return record.id
})

/** No answer in time: CANCEL; the 487 that follows ends the call as timed out. */
const ringTimer = Effect.fnUntraced(function*(ctx: CoordinatorContext, record: SessionRecord, ms: number) {
  yield* Effect.sleep(ms)
  yield* react(ctx, record, { _tag: "Timeout", what: "ring" })
})
