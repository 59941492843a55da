/**
 * Requests we send inside a dialog (RFC 3261 §12.2.1): built from the dialog state with CSeq + 1, the
 * 2xx to a re-INVITE ACKed by us (§13.2.2.4), BYE ending the dialog whatever its answer (§15.1.1),
 * and 408/481/timeouts ending it too (§12.2.1.2).
 */
import { Deferred, Effect, FiberSet, Stream } from "effect"
import { type NetworkError, ProtocolError } from "../errors.ts"
import type { SipRequest, SipResponse } from "../sip/message.ts"
import type { Endpoint } from "../transport/transport.ts"
import type { DialogEvent } from "./dialog-layer.ts"
import type { DialogContext } from "./context.ts"
import { ignoreFailure } from "./context.ts"
import { cseqOf } from "../sip/index.ts"
import { contactUri, type Dialog } from "./dialog-state.ts"
import { buildAck, buildInDialog, type RequestOptions } from "./message-builder.ts"
import { stopRetransmitting } from "./two-xx-retransmit.ts"

type Reason = Extract<DialogEvent, { _tag: "DialogTerminated" }>["reason"]

/** Forget the dialog and report why; never blocks the caller (it may be the events consumer). */
export const endDialog = Effect.fnUntraced(function*(ctx: DialogContext, dialogId: string, reason: Reason) {
  const legId = ctx.store.legOf(dialogId)
  const dialog = ctx.store.removeDialog(dialogId)
  if (dialog === undefined) return
  yield* stopRetransmitting(ctx, dialogId)
  // One early fork of our INVITE failing (a PRACK answered 481) is no end of the call: the INVITE decides.
  if (dialog.role === "uac" && dialog.state === "early") return
  yield* ctx.emitLater({ _tag: "DialogTerminated", dialogId: legId, reason })
})

/** §13.2.2.4: ACK a 2xx to our re-INVITE, and again for each retransmission of it. */
const ackTwoXx = (ctx: DialogContext, dialog: Dialog, seq: number, response: SipResponse): Effect.Effect<void> => {
  let last = dialog.lastAck
  if (last?.seq !== seq) {
    // §12.2.1.2: a 2xx to a target refresh request updates the remote target before the ACK goes.
    dialog.remoteTarget = contactUri(response) ?? dialog.remoteTarget
    const built = buildAck(ctx, dialog, seq)
    last = { seq, ack: built.request, destination: built.destination }
    dialog.lastAck = last
  }
  return ignoreFailure(ctx.transactions.sendStateless(last.ack, last.destination))
}

/** Run one client transaction in a layer-owned fiber (it outlives us while a 2xx is retransmitted)
 *  and wait for its final response. */
const attempt = Effect.fnUntraced(function*(ctx: DialogContext, dialog: Dialog, request: SipRequest, destination: Endpoint) {
  const transaction = yield* ctx.transactions.sendRequest(request, destination)
  const seq = cseqOf(request)?.seq ?? dialog.localSeq
  const final = yield* Deferred.make<SipResponse, ProtocolError | NetworkError>()
  const onResponse = (response: SipResponse): Effect.Effect<void> =>
    response.status < 200
      ? Effect.void
      : Effect.andThen(
        request.method === "INVITE" && response.status < 300 ? ackTwoXx(ctx, dialog, seq, response) : Effect.void,
        Effect.asVoid(Deferred.succeed(final, response))
      )
  yield* FiberSet.run(
    ctx.background,
    Stream.runForEach(transaction.responses, onResponse).pipe(
      Effect.catch((error) => Deferred.fail(final, error)),
      Effect.ensuring(Deferred.fail(
        final,
        new ProtocolError({ reason: "UnexpectedResponse", message: `${request.method}: no final response` })
      )),
      Effect.asVoid
    )
  )
  return yield* Deferred.await(final)
})

/** The request, signed with credentials already challenged (§22.3), and sent again with fresh ones
 *  when a 401/407 answers it (§22.2, at most twice: a refusal is the final answer). */
const exchange = Effect.fnUntraced(function*(
  ctx: DialogContext,
  dialog: Dialog,
  method: string,
  seq: number,
  options: RequestOptions
) {
  const built = buildInDialog(ctx, dialog, { ...options, method, seq })
  const { destination } = built
  const authenticator = dialog.authenticator
  let request = authenticator === undefined ? built.request : authenticator.sign(built.request)
  let response = yield* attempt(ctx, dialog, request, destination)
  for (let retries = 0; retries < 2 && authenticator !== undefined; retries++) {
    if (response.status !== 401 && response.status !== 407) break
    const retry = authenticator.respond(request, response)
    if (retry._tag === "ProtocolError") break
    request = retry
    dialog.localSeq = Math.max(dialog.localSeq, cseqOf(retry)?.seq ?? dialog.localSeq)
    response = yield* attempt(ctx, dialog, request, destination)
  }
  return response
})

const terminating = (status: number): boolean => status === 408 || status === 481

export const request = Effect.fnUntraced(function*(
  ctx: DialogContext,
  dialogId: string,
  method: string,
  options: RequestOptions = {}
) {
  const dialog = ctx.store.dialog(dialogId)
  if (dialog === undefined) {
    return yield* new ProtocolError({ reason: "NoSuchDialog", message: `no dialog ${dialogId}`, status: 481 })
  }
  if (method === "INVITE" && dialog.invite !== "none") {
    // §14.1: no new INVITE while one is in progress in either direction.
    return yield* new ProtocolError({ reason: "Glare", message: `an INVITE is in progress on ${dialog.id}`, status: 491 })
  }
  dialog.localSeq += 1
  const seq = dialog.localSeq
  const legId = ctx.store.legOf(dialog.id)
  if (method === "INVITE") dialog.invite = "outgoing"
  if (method === "BYE") {
    // §15.1.1: the dialog ends when the BYE is sent; its answer changes nothing.
    ctx.store.removeDialog(dialog.id)
    yield* stopRetransmitting(ctx, dialog.id)
  }
  const response = yield* exchange(ctx, dialog, method, seq, options).pipe(
    Effect.tapError((error) =>
      method === "BYE" ? Effect.void : endDialog(ctx, dialog.id, error._tag === "NetworkError" ? "TransportError" : "Timeout")
    ),
    Effect.ensuring(Effect.suspend(() => {
      if (method === "INVITE") dialog.invite = "none"
      return method === "BYE"
        ? ctx.emitLater({ _tag: "DialogTerminated", dialogId: legId, reason: "LocalBye" })
        : Effect.void
    }))
  )
  if (method !== "BYE" && terminating(response.status)) yield* endDialog(ctx, dialog.id, "Timeout")
  return response
})
