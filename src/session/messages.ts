/**
 * MESSAGE (RFC 3428): the peer's, in a call or outside any, reaches the application as MessageReceived
 * (answered 200, or 413 when its body is over `maxMessageBytes`); ours go out with `sendMessage`, to a
 * URI outside any call or inside a call's dialog.
 */
import { Effect } from "effect"
import { ApplicationError } from "../errors.ts"
import { getHeader } from "../sip/index.ts"
import type { SipRequest, SipResponse } from "../sip/message.ts"
import { defaultLocalUri } from "./config.ts"
import type { CoordinatorContext } from "./context.ts"
import { publish } from "./context.ts"
import { asBytes } from "./info.ts"
import type { SessionRecord } from "./session-record.ts"

/** The largest MESSAGE body we take by default (RFC 3428 §7: larger ones get 413). */
export const DEFAULT_MAX_MESSAGE_BYTES = 8192

export const onMessage = Effect.fnUntraced(function*(
  ctx: CoordinatorContext,
  record: SessionRecord | undefined,
  requestId: string,
  request: SipRequest
) {
  if (request.body.length > (ctx.config.maxMessageBytes ?? DEFAULT_MAX_MESSAGE_BYTES)) {
    return yield* ctx.dialog.respond(requestId, 413).pipe(Effect.ignore)
  }
  yield* ctx.dialog.respond(requestId, 200).pipe(Effect.ignore)
  yield* publish(ctx, {
    _tag: "MessageReceived",
    sessionId: record?.id,
    from: getHeader(request, "from") ?? "",
    to: getHeader(request, "to") ?? "",
    contentType: getHeader(request, "content-type") ?? "",
    body: request.body
  })
})

const refused = (response: SipResponse) =>
  new ApplicationError({ reason: "Rejected", message: `MESSAGE answered ${response.status} ${response.reason}` })


/** A MESSAGE to `uri` outside any call; a non-2xx answer is a refusal ("Rejected"). */
export const sendMessage = Effect.fnUntraced(function*(ctx: CoordinatorContext, uri: string, contentType: string, body: string | Uint8Array) {
  const destination = ctx.resolve(uri)
  if (destination === undefined) return yield* new ApplicationError({ reason: "InvalidArgument", message: `not a SIP URI: ${uri}` })
  const bytes = asBytes(body)
  const response = yield* ctx.dialog.outOfDialog("MESSAGE", {
    target: uri,
    from: ctx.config.localUri ?? defaultLocalUri,
    to: uri,
    destination,
    body: { contentType, bytes }
  })
  if (response.status >= 300) return yield* refused(response)
})
