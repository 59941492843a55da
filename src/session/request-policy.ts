/**
 * Requests the server answers without its user writing SIP: OPTIONS (200 with Allow/Accept/Supported),
 * INFO in a call (200), and 405 with Allow for methods we do not implement (§8.2.1).
 */
import { Effect } from "effect"
import type { SipRequest } from "../sip/message.ts"
import type { CoordinatorContext } from "./context.ts"
import { acceptedBodies, allowedMethods, supportedExtensions } from "./config.ts"

const capabilityHeaders: ReadonlyArray<readonly [string, string]> = [
  ["Allow", allowedMethods.join(", ")],
  ["Accept", acceptedBodies.join(", ")],
  ...(supportedExtensions.length > 0 ? [["Supported", supportedExtensions.join(", ")] as const] : [])
]

export const answerOutOfDialog = (ctx: CoordinatorContext, requestId: string, request: SipRequest) =>
  (request.method === "OPTIONS"
    ? ctx.dialog.respond(requestId, ctx.accepting ? 200 : 503, { headers: capabilityHeaders })
    : ctx.dialog.respond(requestId, 405, { headers: [["Allow", allowedMethods.join(", ")]] })).pipe(Effect.ignore)

export const answerInDialog = (ctx: CoordinatorContext, requestId: string, request: SipRequest) =>
  (request.method === "OPTIONS" || request.method === "INFO"
    ? ctx.dialog.respond(requestId, 200, request.method === "OPTIONS" ? { headers: capabilityHeaders } : {})
    : ctx.dialog.respond(requestId, 405, { headers: [["Allow", allowedMethods.join(", ")]] })).pipe(Effect.ignore)
