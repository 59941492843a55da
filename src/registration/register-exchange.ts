/**
 * One REGISTER exchange (RFC 3261 §10.2): send, absorb 401/407 with digest credentials (§22.2) and 423
 * with the registrar's Min-Expires (§10.2.8), and come back with the final outcome. Never fails: every
 * way it can go wrong is an `Exchange` value the caller turns into an event.
 */
import { Effect, Option, Stream } from "effect"
import type { Authenticator } from "../auth/index.ts"
import { ProtocolError } from "../errors.ts"
import { cseqOf, getHeader, isParseError, parseExpires } from "../sip/index.ts"
import type { SipRequest, SipResponse } from "../sip/message.ts"
import type { TransactionLayer } from "../transaction/transaction-layer.ts"
import { buildRegister, type RegistrationSession } from "./register-request.ts"
import type { ResolvedConfig } from "./registration-config.ts"

export type Exchange =
  | { readonly _tag: "Answered"; readonly request: SipRequest; readonly response: SipResponse }
  | { readonly _tag: "Failed"; readonly status?: number; readonly reason: string }

export interface ExchangeContext {
  readonly layer: TransactionLayer["Service"]
  readonly config: ResolvedConfig
  readonly session: RegistrationSession
  readonly authenticator: Authenticator | undefined
}

/** Each challenge or 423 costs one attempt; a registrar that keeps asking is given up on. */
const MAX_ATTEMPTS = 5

/**
 * The final response to one request, and the request as the transaction layer sent it (with its Via).
 * Provisional responses are skipped (§10.2: a REGISTER gets none worth reading).
 */
export const finalResponse = (layer: TransactionLayer["Service"], request: SipRequest, config: ResolvedConfig) =>
  Effect.gen(function*() {
    const tx = yield* layer.sendRequest(request, config.registrar)
    const final = yield* tx.responses.pipe(Stream.filter((r) => r.status >= 200), Stream.runHead)
    return Option.match(final, {
      onNone: (): Exchange => ({ _tag: "Failed", reason: "NoFinalResponse" }),
      onSome: (response): Exchange => ({ _tag: "Answered", request: tx.request, response })
    })
  }).pipe(
    Effect.catchTags({
      ProtocolError: (e) => Effect.succeed<Exchange>({ _tag: "Failed", reason: e.reason }),
      NetworkError: (e) => Effect.succeed<Exchange>({ _tag: "Failed", reason: e.reason })
    })
  )

const failed = (response: SipResponse, reason?: string): Exchange => ({
  _tag: "Failed",
  status: response.status,
  reason: reason ?? response.reason
})

/**
 * REGISTER with `expires` (0 to remove our binding) until a 2xx, or the outcome that ends the attempt.
 * The answered 2xx comes back as "Answered"; everything else as "Failed".
 */
export const registerExchange = (ctx: ExchangeContext, expires: number): Effect.Effect<Exchange> =>
  Effect.gen(function*() {
    const { authenticator, session, config } = ctx
    const sign = (r: SipRequest) => authenticator === undefined ? r : authenticator.sign(r)
    let current = expires
    let request = sign(buildRegister(config, session, current))
    for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
      const outcome = yield* finalResponse(ctx.layer, request, config)
      if (outcome._tag === "Failed") return outcome
      const { response } = outcome
      const status = response.status
      if (status >= 200 && status < 300) return outcome
      if (status === 401 || status === 407) {
        if (authenticator === undefined) return failed(response, "NoCredentials")
        const next = authenticator.respond(outcome.request, response)
        if (next instanceof ProtocolError) return failed(response, next.reason)
        // The authenticator bumped CSeq; keep the session's counter in step (§10.2.4).
        session.cseq = cseqOf(next)?.seq ?? session.cseq + 1
        request = next
        continue
      }
      if (status === 423 && current > 0) {
        // §10.2.8: retry with an expiry no lower than the registrar's Min-Expires, and keep it.
        const min = getHeader(response, "min-expires")
        const parsed = min === undefined ? undefined : parseExpires(min)
        if (parsed === undefined || isParseError(parsed) || parsed <= current) return failed(response, "IntervalTooBrief")
        current = parsed
        session.expires = parsed
        request = sign(buildRegister(config, session, current))
        continue
      }
      return failed(response)
    }
    return { _tag: "Failed", reason: "TooManyAttempts" }
  })
