/**
 * A request outside any dialog that creates none (RFC 3261 §8.1.1), e.g. MESSAGE (RFC 3428): our
 * From-tag, a new Call-ID, CSeq 1, a non-INVITE client transaction; its final response returned.
 */
import { Effect, Stream } from "effect"
import { ProtocolError } from "../errors.ts"
import { makeRequest, newBranch, newCallId, newTag } from "../sip/index.ts"
import type { DialogContext } from "./context.ts"
import { asNameAddr, localFor, userAgentHeaders, viaFor } from "./context.ts"
import type { OutOfDialogOptions } from "./dialog-layer.ts"
import { bodyHeaders } from "./message-builder.ts"

export const sendOutOfDialog = Effect.fnUntraced(function*(ctx: DialogContext, method: string, options: OutOfDialogOptions) {
  const local = localFor(ctx, options.destination.transport)
  const request = makeRequest({
    method,
    uri: options.target,
    headers: [
      ["Via", viaFor(ctx, local, newBranch())],
      ["Max-Forwards", "70"],
      ["From", `${asNameAddr(options.from)};tag=${newTag()}`],
      ["To", asNameAddr(options.to)],
      ["Call-ID", newCallId(ctx.contactHost)],
      ["CSeq", `1 ${method}`],
      ...userAgentHeaders(ctx),
      ...(options.headers ?? []),
      ...bodyHeaders(options.body)
    ],
    ...(options.body === undefined ? {} : { body: options.body.bytes })
  })
  const transaction = yield* ctx.transactions.sendRequest(request, options.destination)
  const final = yield* Stream.runHead(Stream.filter(transaction.responses, (r) => r.status >= 200))
  if (final._tag === "None") {
    return yield* new ProtocolError({ reason: "UnexpectedResponse", message: `${method}: no final response` })
  }
  return final.value
})
