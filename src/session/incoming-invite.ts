/**
 * A new INVITE: admission (shutdown, capacity), a session record with its own Scope, the
 * IncomingCall event, and the application's decision applied.
 */
import { Effect, Scope } from "effect"
import { getHeader, parseNameAddr, isParseError } from "../sip/index.ts"
import type { SipRequest } from "../sip/message.ts"
import type { Endpoint } from "../transport/transport.ts"
import { acceptCall, rejectCall } from "./answer-call.ts"
import { react } from "./call-actions.ts"
import { startCall } from "./call-machine.ts"
import type { CoordinatorContext } from "./context.ts"
import { publish } from "./context.ts"
import { summarizeDescription } from "../sdp/index.ts"
import { readOffer } from "./media-negotiation.ts"
import type { IncomingCall } from "./session-events.ts"
import type { SessionRecord } from "./session-record.ts"
import { nextSessionId } from "./session-record.ts"
import { negotiateAsUas } from "./session-timer-rules.ts"


const uriOf = (value: string | undefined): string => {
  if (value === undefined) return ""
  const parsed = parseNameAddr(value)
  return isParseError(parsed) ? value : parsed.uri
}

const headerMap = (request: SipRequest): ReadonlyMap<string, ReadonlyArray<string>> => {
  const map = new Map<string, Array<string>>()
  for (const h of request.headers) {
    const values = map.get(h.key)
    if (values === undefined) map.set(h.key, [h.value])
    else values.push(h.value)
  }
  return map
}

const noTimer = { _tag: "None" } as const

/** RFC 3262: the caller takes reliable 18x (Supported or Require: 100rel), so one may carry our offer. */
const takes100rel = (headers: ReadonlyMap<string, ReadonlyArray<string>>): boolean =>
  [...(headers.get("supported") ?? []), ...(headers.get("require") ?? [])].some((v) => /(^|,)\s*100rel\s*(,|$)/i.test(v))

const sdpOf = (request: SipRequest): string | undefined => {
  if (request.body.length === 0) return undefined
  const type = getHeader(request, "content-type") ?? ""
  return type.toLowerCase().startsWith("application/sdp") ? Buffer.from(request.body).toString("latin1") : undefined
}

export const handleIncomingInvite = Effect.fnUntraced(function*(
  ctx: CoordinatorContext,
  legId: string,
  request: SipRequest,
  source: Endpoint,
  replacesLeg?: string
) {
  const refuse = (status: number, retryAfterSeconds?: number) =>
    ctx.dialog.reject(legId, status, retryAfterSeconds === undefined ? {} : { retryAfterSeconds }).pipe(Effect.ignore)
  // An INVITE that passed the dialog layer's admission just before the drain began.
  if (!ctx.accepting) return yield* refuse(503, 30)
  if (ctx.registry.size >= ctx.config.maxCalls) {
    return yield* refuse(ctx.config.busyStatus, ctx.config.busyStatus === 503 ? 5 : undefined)
  }
  // RFC 3891: the dialog layer matched the Replaces; a dialog whose call is already gone is no match.
  const replaces = replacesLeg === undefined ? undefined : ctx.registry.byLegId(replacesLeg)?.id
  if (replacesLeg !== undefined && replaces === undefined) return yield* refuse(481)
  const offerText = sdpOf(request)
  const remoteOffer = offerText === undefined ? undefined : readOffer(offerText)
  const offer = remoteOffer === undefined ? undefined : summarizeDescription(remoteOffer)
  if (offerText !== undefined && remoteOffer === undefined) {
    return yield* ctx.dialog.reject(legId, 400, { reason: "Bad SDP" }).pipe(Effect.ignore)
  }
  const headers = headerMap(request)
  // RFC 4028 §9: an interval below our Min-SE gets 422; otherwise the call keeps the negotiated timer.
  const timer = headers.has("session-expires") ? negotiateAsUas(request, ctx.config) : noTimer
  if (timer._tag === "TooBrief") {
    return yield* ctx.dialog.reject(legId, 422, { headers: [["Min-SE", String(timer.minSe)]] }).pipe(Effect.ignore)
  }
  const scope = yield* Scope.make()
  const record: SessionRecord = {
    id: nextSessionId(),
    legId,
    callId: getHeader(request, "call-id") ?? "",
    call: startCall("incoming", remoteOffer !== undefined),
    scope,
    media: undefined,
    source: ctx.config.defaultMedia,
    local: undefined,
    remoteOffer,
    negotiated: undefined,
    codecs: undefined,
    heardAt: ctx.clock.currentTimeMillisUnsafe(),
    packetsHeard: 0,
    sessionTimer: timer._tag === "Timer" ? timer.timer : undefined,
    ...(remoteOffer === undefined && takes100rel(headers) ? { earlyOffer: "allowed" as const } : {}),
    replaces
  }
  ctx.registry.add(record)
  const call: IncomingCall = {
    sessionId: record.id,
    callId: record.callId,
    from: getHeader(request, "from") ?? "",
    to: getHeader(request, "to") ?? "",
    callerUri: uriOf(getHeader(request, "from")),
    calleeUri: uriOf(getHeader(request, "to")),
    requestUri: request.uri,
    ...(offer === undefined ? {} : { offer }),
    headers,
    source: { host: source.host, port: source.port, transport: source.transport },
    ...(replaces === undefined ? {} : { replaces })
  }
  yield* Effect.logInfo("incoming call", { session: record.id, from: call.callerUri, to: call.calleeUri })
  yield* publish(ctx, { _tag: "IncomingCall", sessionId: record.id, call })
  yield* decide(ctx, record, call).pipe(Effect.forkIn(scope))
})

/** Run the application's handler and apply its decision. A failing handler is a 500, not a crash. */
const decide = Effect.fnUntraced(function*(ctx: CoordinatorContext, record: SessionRecord, call: IncomingCall) {
  const decision = yield* ctx.config.handler(call).pipe(
    Effect.catchCause((cause) =>
      Effect.logWarning("call handler failed", { session: record.id, cause }).pipe(
        Effect.as({ _tag: "Reject", status: 500, reason: "Call Handler Failed" } as const)
      )
    )
  )
  switch (decision._tag) {
    case "Accept":
      return yield* acceptCall(ctx, record, decision.options).pipe(Effect.ignore)
    case "Reject":
      return yield* rejectCall(ctx, record, decision.status, decision.reason).pipe(Effect.ignore)
    case "Defer":
      if (ctx.config.ringTimeoutMs <= 0) return
      yield* Effect.sleep(ctx.config.ringTimeoutMs)
      yield* react(ctx, record, { _tag: "Timeout", what: "ring" })
  }
})
