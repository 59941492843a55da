/**
 * Placing a call (UAC): media first (ports, our SDP offer), then the INVITE (asking for a session timer,
 * RFC 4028); its progress drives the call state (outgoing-progress.ts). The dialog layer ACKs the 2xx, and
 * ACKs then BYEs a second 2xx from another fork; a 3xx sends the INVITE again to the first Contact, a 422
 * with a larger interval (bounded hops together).
 */
import { Effect, Exit, Scope, Stream } from "effect"
import { checkCodecs } from "./codec-check.ts"
import type { InviteOptions, OutgoingInviteEvent } from "../dialog/dialog-layer.ts"
import { ApplicationError } from "../errors.ts"
import { react } from "./call-actions.ts"
import { startCall } from "./call-machine.ts"
import type { CallOptions } from "./call-options.ts"
import type { CoordinatorContext } from "./context.ts"
import { defaultLocalUri } from "./config.ts"
import { publish } from "./context.ts"
import { makeOffer, newLocalMedia, sdpBody } from "./media-negotiation.ts"
import { type LateOffer, lateAnswer, onInviteEvent, type Retry } from "./outgoing-progress.ts"
import { inviteHeaders, retryHeaders } from "./session-timer-rules.ts"
import type { SessionRecord } from "./session-record.ts"
import { nextSessionId } from "./session-record.ts"
import { watchMedia } from "./media-watch.ts"
import { failsOver, needsDns, secureSignalling, unavailable } from "../net/failover.ts"
import type { Endpoint } from "../transport/transport.ts"

const maxRedirects = 3

/** The INVITE failed in a way §4.3 of RFC 3263 answers by trying the next located target. */
const FAILOVER = { _tag: "Failover" } as const
type Next = Retry | typeof FAILOVER | undefined

/** Follow one INVITE's progress. Returns the next target for a 3xx, Failover (when `canFail`), or
 *  undefined when the call is settled. */
const follow = (ctx: CoordinatorContext, record: SessionRecord, offer: string | LateOffer, events: Stream.Stream<OutgoingInviteEvent, unknown>, canFail: boolean) =>
  Effect.suspend(() => {
    let next: Next
    return Stream.runForEach(events, (event) => {
      if (canFail && event._tag === "Failed" && unavailable(event.response.status)) {
        next = FAILOVER
        return Effect.void
      }
      return Effect.map(onInviteEvent(ctx, record, offer, event), (target) => {
        if (target !== undefined) next = target
      })
    }).pipe(Effect.map(() => next))
  }).pipe(
    Effect.catch((error) =>
      canFail && failsOver(error)
        ? Effect.succeed<Next>(FAILOVER)
        : react(ctx, record, { _tag: "Failed", message: `INVITE failed: ${describe(error)}` }).pipe(Effect.as(undefined))
    )
  )

// The reason, and the message when there is one ("ConnectFailed: TLS to … refused: UnknownCA (…)").
const describe = (error: unknown): string => {
  if (typeof error !== "object" || error === null || !("reason" in error)) return String(error)
  const { message, reason } = error as { reason: unknown; message?: unknown }
  return typeof message === "string" && message.length > 0 ? `${String(reason)}: ${message}` : String(reason)
}

/** One INVITE of the call: the first, or the next after a redirect (`hops` so far); `spare` are the
 *  located targets still to try on failover. */
interface Attempt {
  readonly invite: InviteOptions
  readonly offer: string | LateOffer
  readonly hops: number
  readonly spare: ReadonlyArray<Endpoint>
}

/** Send the INVITE (again, after a redirect) and follow it; redirects are bounded. */
const sendAndFollow = Effect.fnUntraced(function*(ctx: CoordinatorContext, record: SessionRecord, attempt: Attempt) {
  const { invite, offer, hops, spare } = attempt
  const canFail = spare.length > 0
  const failover = (continues: InviteOptions["continues"]) => {
    const retried: InviteOptions = { ...invite, destination: spare[0], ...(continues === undefined ? {} : { continues }) }
    return Effect.andThen(
      Effect.logInfo("next target", { session: record.id, to: `${spare[0].transport}:${spare[0].host}:${spare[0].port}` }),
      run(ctx, record, { invite: retried, offer, hops, spare: spare.slice(1) })
    )
  }
  if (record.local?.srtpKey !== undefined && !secureSignalling(invite.destination.transport)) {
    yield* Effect.logWarning("SDES key sent over unencrypted signalling", { session: record.id, transport: invite.destination.transport })
  }
  const sdp = typeof offer === "string" ? { body: sdpBody(offer) } : { answer: lateAnswer(record, offer) }
  const outgoing = yield* ctx.dialog.invite({ ...invite, ...sdp }).pipe(
    Effect.catch((error) => canFail && failsOver(error) ? Effect.succeed(undefined) : Effect.fail(error))
  )
  if (outgoing === undefined) return yield* failover(invite.continues)
  ctx.registry.bindLeg(record, outgoing.dialogId)
  record.callId = outgoing.callId
  const next = yield* follow(ctx, record, offer, outgoing.events, canFail)
  if (next === undefined || record.call.state === "Terminated") return
  if (next._tag === "Failover") return yield* failover(outgoing.dialogId)
  if (hops >= maxRedirects) {
    return yield* react(ctx, record, { _tag: "Failed", message: `more than ${maxRedirects} redirects` })
  }
  // Either way the call leg goes on: same Call-ID and From-tag, higher CSeq (§8.1.3.4, RFC 4028 §7.4).
  const continued: InviteOptions = { ...invite, continues: outgoing.dialogId }
  if (next._tag === "TooBrief") {
    yield* Effect.logInfo("session interval too brief: retrying", { session: record.id, interval: next.interval })
    const headers = retryHeaders(invite.headers ?? [], next.interval)
    return yield* run(ctx, record, { invite: { ...continued, headers }, offer, hops: hops + 1, spare })
  }
  yield* Effect.logInfo("call redirected", { session: record.id, to: next.target })
  const destination = ctx.resolve(next.target) ?? invite.destination
  const redirected: InviteOptions = { ...continued, target: next.target, to: `<${next.target}>`, destination }
  yield* located(ctx, record, { invite: redirected, offer, hops: hops + 1, spare: [] })
})

const run = (ctx: CoordinatorContext, record: SessionRecord, attempt: Attempt): Effect.Effect<void> =>
  sendAndFollow(ctx, record, attempt).pipe(
    Effect.catch((error) => react(ctx, record, { _tag: "Failed", message: `INVITE not sent: ${describe(error)}` }))
  )

/** A host name goes through RFC 3263 first (NAPTR, SRV, A/AAAA): the first target, the rest to fail over to. */
const located = (ctx: CoordinatorContext, record: SessionRecord, attempt: Attempt): Effect.Effect<void> =>
  !needsDns(attempt.invite.destination)
    ? run(ctx, record, attempt)
    : ctx.locate(attempt.invite.target).pipe(
      Effect.matchEffect({
        onFailure: (error) => react(ctx, record, { _tag: "Failed", message: `no route: ${describe(error)}` }),
        onSuccess: (targets) =>
          run(ctx, record, { ...attempt, invite: { ...attempt.invite, destination: targets[0] }, spare: targets.slice(1) })
      })
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
    call: startCall("outgoing", options.lateOffer !== true),
    scope,
    media,
    source: options.media ?? ctx.config.defaultMedia,
    local: newLocalMedia(media.localAddress, media.localPort, options.codecs ?? ctx.config.codecs, { srtp: options.srtp === true }),
    remoteOffer: undefined,
    negotiated: undefined,
    codecs: options.codecs,
    heardAt: ctx.clock.currentTimeMillisUnsafe(),
    packetsHeard: 0,
    dtmf: options.dtmf
  }
  ctx.registry.add(record)
  yield* publish(ctx, { _tag: "OutgoingCall", sessionId: record.id, target: options.target, headers: options.headers ?? [] })
  yield* watchMedia(ctx, record, media, scope)
  const offer: string | LateOffer = options.lateOffer === true ? { took: undefined } : makeOffer(record.local!, "sendrecv")
  const credentials = options.credentials ?? ctx.config.credentials
  const invite: InviteOptions = {
    target: options.target,
    from: options.from ?? ctx.config.localUri ?? defaultLocalUri,
    to: options.to ?? `<${options.target}>`,
    destination,
    headers: [
      ...inviteHeaders(ctx.config),
      ...(options.require100rel ?? ctx.config.require100rel ? [["Require", "100rel"] as const] : []),
      ...(options.headers ?? [])
    ],
    ...(credentials === undefined ? {} : { credentials })
  }
  // An outbound proxy (`destination`) is used as given; a target's host name is located first.
  const first = options.destination === undefined ? located : run
  yield* first(ctx, record, { invite, offer, hops: 0, spare: [] }).pipe(Effect.forkIn(scope))
  const ringTimeout = options.ringTimeoutMs ?? ctx.config.ringTimeoutMs
  if (ringTimeout > 0) yield* ringTimer(ctx, record, ringTimeout).pipe(Effect.forkIn(scope))
  return record.id
})

/** No answer in time: CANCEL; the 487 that follows ends the call as timed out. */
const ringTimer = Effect.fnUntraced(function*(ctx: CoordinatorContext, record: SessionRecord, ms: number) {
  yield* Effect.sleep(ms)
  yield* react(ctx, record, { _tag: "Timeout", what: "ring" })
})
