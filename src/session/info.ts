/**
 * INFO in a call (RFC 6086) and DTMF over INFO: `application/dtmf-relay` (Signal=5, Duration=160) and
 * `application/dtmf` (the digit alone). Digits reach the application as DtmfReceived (source "info"),
 * other INFO bodies as InfoReceived; ours go out through the dialog layer.
 */
import { Effect } from "effect"
import { ApplicationError } from "../errors.ts"
import { getHeader } from "../sip/index.ts"
import type { SipRequest } from "../sip/message.ts"
import { checkOperation } from "./call-state.ts"
import type { CoordinatorContext } from "./context.ts"
import { publish } from "./context.ts"
import type { SessionRecord } from "./session-record.ts"

const DTMF_RELAY = /^\s*application\/dtmf-relay\s*(;|$)/i
const DTMF = /^\s*application\/dtmf\s*(;|$)/i
const DIGIT = /^[0-9*#A-D]$/i
/** Duration of a digit we send, and the default when the peer names none (ms). */
const DIGIT_MS = 160

const text = (body: Uint8Array): string => Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString("utf8")

/** A `Key=value` line of an application/dtmf-relay body, case-insensitive. */
const field = (body: string, key: string): string | undefined => {
  const match = new RegExp(`^\\s*${key}\\s*=\\s*(\\S+)`, "im").exec(body)
  return match?.[1]
}

/** The digit an INFO carries, if it is DTMF; 16 is flash in RFC 4733's numbering, not a digit. */
export const dtmfOf = (contentType: string, body: Uint8Array): { readonly digit: string; readonly durationMs: number } | undefined => {
  if (DTMF_RELAY.test(contentType)) {
    const content = text(body)
    const signal = field(content, "Signal")
    if (signal === undefined || !DIGIT.test(signal)) return undefined
    const duration = Number(field(content, "Duration"))
    return { digit: signal.toUpperCase(), durationMs: Number.isFinite(duration) && duration > 0 ? duration : DIGIT_MS }
  }
  if (!DTMF.test(contentType)) return undefined
  const digit = text(body).trim()
  return DIGIT.test(digit) ? { digit: digit.toUpperCase(), durationMs: DIGIT_MS } : undefined
}

/** The peer's INFO: answered 200 (its content is the application's to judge), then told. */
export const onInfo = Effect.fnUntraced(function*(ctx: CoordinatorContext, record: SessionRecord, requestId: string, request: SipRequest) {
  yield* ctx.dialog.respond(requestId, 200).pipe(Effect.ignore)
  const contentType = getHeader(request, "content-type") ?? ""
  const dtmf = dtmfOf(contentType, request.body)
  if (dtmf !== undefined) {
    yield* Effect.logInfo("dtmf", { session: record.id, digit: dtmf.digit, source: "info" })
    return yield* publish(ctx, { _tag: "DtmfReceived", sessionId: record.id, ...dtmf, source: "info" })
  }
  yield* publish(ctx, { _tag: "InfoReceived", sessionId: record.id, contentType, body: request.body })
})

export const asBytes = (body: string | Uint8Array): Uint8Array => typeof body === "string" ? Buffer.from(body, "utf8") : body

/** Send an INFO or a MESSAGE with a body in the established call; a non-2xx answer is a refusal ("Rejected"). */
export const sendInCall = Effect.fnUntraced(function*(
  ctx: CoordinatorContext,
  record: SessionRecord,
  method: "INFO" | "MESSAGE",
  contentType: string,
  body: string | Uint8Array
) {
  const invalid = checkOperation(record.id, record.call.state, "info")
  if (invalid !== undefined) return yield* invalid
  const response = yield* ctx.dialog.request(record.legId, method, { body: { contentType, bytes: asBytes(body) } })
  if (response.status >= 300) {
    return yield* new ApplicationError({ reason: "Rejected", message: `${method} answered ${response.status} ${response.reason}` })
  }
})

/** DTMF over INFO: one application/dtmf-relay INFO per digit, each answered before the next. */
export const sendDtmfInfo = Effect.fnUntraced(function*(ctx: CoordinatorContext, record: SessionRecord, digits: string) {
  for (const digit of digits) {
    if (!DIGIT.test(digit)) {
      return yield* new ApplicationError({ reason: "InvalidArgument", message: `not a DTMF digit: ${digit}` })
    }
  }
  for (const digit of digits) {
    yield* sendInCall(ctx, record, "INFO", "application/dtmf-relay", `Signal=${digit.toUpperCase()}\r\nDuration=${DIGIT_MS}\r\n`)
  }
})
