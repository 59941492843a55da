/**
 * Placing an INVITE outside a dialog (RFC 3261 §13.2.1, §8.1.1): the request, the fiber that follows
 * its client transaction, a retry with credentials on 401/407 (§22.2), and a retry in the same call
 * after a redirect (§8.1.3.4). Responses are handled in uac-responses.ts.
 */
import { Cause, Effect, FiberSet, Queue, Stream } from "effect"
import { type Authenticator, makeAuthenticator } from "../auth/authenticator.ts"
import type { NetworkError, ProtocolError } from "../errors.ts"
import { cseqOf, makeRequest, newBranch, newCallId, newTag } from "../sip/index.ts"
import type { SipResponse } from "../sip/message.ts"
import type { ClientTransaction } from "../transaction/transaction-layer.ts"
import { supportedExtensions } from "./capabilities.ts"
import type { InviteOptions, OutgoingInvite, OutgoingInviteEvent } from "./dialog-layer.ts"
import type { DialogContext } from "./context.ts"
import { asNameAddr, contactFor, localFor, userAgentHeaders, viaFor } from "./context.ts"
import { inviteKey } from "./dialog-state.ts"
import type { PendingOutgoing } from "./dialog-store.ts"
import { bodyHeaders } from "./message-builder.ts"
import { dropEarly, onInviteResponse } from "./uac-responses.ts"

/** §22.2: resend with credentials at once (the challenged transaction lingers in Completed). */
const retryWithCredentials = Effect.fnUntraced(function*(
  ctx: DialogContext,
  outgoing: PendingOutgoing,
  authenticator: Authenticator,
  challenge: SipResponse
) {
  const retry = authenticator.respond(outgoing.invite, challenge)
  if (retry._tag === "ProtocolError") return yield* onInviteResponse(ctx, outgoing, challenge)
  const transaction = yield* ctx.transactions.sendRequest(retry, outgoing.destination).pipe(
    Effect.catch((error) =>
      Effect.sync(() => {
        outgoing.final = true
      }).pipe(Effect.andThen(Queue.fail(outgoing.queue, error)), Effect.as(undefined))
    )
  )
  if (transaction === undefined) return
  yield* startAttempt(ctx, outgoing, transaction)
})

/** Follow one attempt's client transaction to its end (Timer M after a 2xx). Only the latest attempt
 *  speaks for the INVITE; a failure before any final response fails the events stream. */
const follow = (ctx: DialogContext, outgoing: PendingOutgoing, attempt: number, responses: Stream.Stream<SipResponse, ProtocolError | NetworkError>) =>
  Stream.runForEach(responses, (response): Effect.Effect<void> => {
    if (outgoing.attempt !== attempt) return Effect.void
    const challenged = (response.status === 401 || response.status === 407) && !outgoing.final
    return challenged && outgoing.authenticator !== undefined
      ? retryWithCredentials(ctx, outgoing, outgoing.authenticator, response)
      : onInviteResponse(ctx, outgoing, response)
  }).pipe(
    Effect.catch((error) =>
      Effect.suspend(() => {
        if (outgoing.final || outgoing.attempt !== attempt) return Effect.void
        outgoing.final = true
        dropEarly(ctx, outgoing)
        return Effect.asVoid(Queue.fail(outgoing.queue, error))
      })
    ),
    Effect.ensuring(Effect.suspend(() => {
      if (outgoing.attempt !== attempt) return Effect.void
      dropEarly(ctx, outgoing)
      if (ctx.store.outgoing.get(outgoing.id) === outgoing) ctx.store.outgoing.delete(outgoing.id)
      return Effect.asVoid(Queue.end(outgoing.queue))
    })),
    Effect.catchCause((cause) => Effect.logWarning("dialog layer: INVITE follower failed", Cause.pretty(cause)))
  )

const startAttempt = (ctx: DialogContext, outgoing: PendingOutgoing, transaction: ClientTransaction): Effect.Effect<void> => {
  outgoing.attempt += 1
  outgoing.transactionId = transaction.id
  outgoing.invite = transaction.request
  const seq = cseqOf(transaction.request)?.seq ?? 1
  ctx.store.rememberLeg(outgoing.id, { callId: outgoing.callId, localTag: outgoing.localTag, seq })
  return FiberSet.run(ctx.background, follow(ctx, outgoing, outgoing.attempt, transaction.responses)).pipe(Effect.asVoid)
}

/** §13.2.1 + §8.1.1: INVITE with our From-tag, a new Call-ID (or the call's, when it `continues` one),
 *  CSeq 1 (or the call's next), Contact, Max-Forwards 70. */
const supportedList = supportedExtensions.join(", ")

export const invite = Effect.fnUntraced(function*(ctx: DialogContext, options: InviteOptions) {
  const local = localFor(ctx, options.destination.transport)
  const prior = options.continues === undefined ? undefined : ctx.store.outgoingLeg(options.continues)
  const callId = prior?.callId ?? newCallId(ctx.contactHost)
  const localTag = prior?.localTag ?? newTag()
  const id = options.continues !== undefined && prior !== undefined ? options.continues : inviteKey(callId, localTag)
  const seq = (prior?.seq ?? 0) + 1
  const request = makeRequest({
    method: "INVITE",
    uri: options.target,
    headers: [
      ["Via", viaFor(ctx, local, newBranch())],
      ["Max-Forwards", "70"],
      ["From", `${asNameAddr(options.from)};tag=${localTag}`],
      ["To", asNameAddr(options.to)],
      ["Call-ID", callId],
      ["CSeq", `${seq} INVITE`],
      ["Contact", contactFor(ctx, local)],
      // What we support: RFC 3262 (we PRACK reliable provisionals, uac-prack.ts), RFC 4028 (session timers).
      ["Supported", supportedList],
      ...userAgentHeaders(ctx),
      ...(options.headers ?? []),
      ...bodyHeaders(options.body)
    ],
    ...(options.body === undefined ? {} : { body: options.body.bytes })
  })
  const transaction = yield* ctx.transactions.sendRequest(request, options.destination)
  const queue = yield* Queue.unbounded<OutgoingInviteEvent, ProtocolError | NetworkError | Cause.Done>()
  const outgoing: PendingOutgoing = {
    id,
    callId,
    localTag,
    transactionId: transaction.id,
    invite: transaction.request,
    attempt: 0,
    authenticator: options.credentials === undefined ? undefined : makeAuthenticator(options.credentials),
    destination: options.destination,
    local,
    queue,
    early: new Map(),
    forks: new Map(),
    answer: options.body === undefined ? options.answer : undefined,
    winner: undefined,
    final: false
  }
  ctx.store.outgoing.set(id, outgoing)
  yield* startAttempt(ctx, outgoing, transaction)
  const result: OutgoingInvite = { dialogId: id, callId, events: Stream.fromQueue(queue) }
  return result
})

/** The INVITE behind a leg id (the id `invite` returned), for CANCEL. */
export const findOutgoing = (ctx: DialogContext, legId: string): PendingOutgoing | undefined => ctx.store.outgoing.get(legId)
