/**
 * OPTIONS keep-alive to the registrar (RFC 3261 §11.1, out of dialog): proves the path to the
 * registrar still works and keeps NAT bindings open between refreshes.
 */
import { type Duration, Effect } from "effect"
import { newCallId, newTag } from "../sip/index.ts"
import { buildOptions } from "./register-request.ts"
import { type ExchangeContext, finalResponse } from "./register-exchange.ts"
import type { RegistrationEvent } from "./registration-events.ts"

/**
 * Any final response proves the registrar answers — a 404 or 405 too (it may not implement OPTIONS,
 * §11.2) — except 408 and 5xx, which a proxy on the way or an overloaded registrar sends when it
 * cannot serve us: the condition this probe watches for. No answer at all (Timer F) or a transport
 * error is a failure as well.
 */
const isHealthy = (status: number): boolean => status !== 408 && status < 500

/**
 * Every `interval`: one OPTIONS (one Call-ID for all probes, CSeq + 1 each). Reports each failure, and
 * the first success after failures; `onRestored` then runs (the registration re-registers, since the
 * registrar may have restarted or our NAT mapping changed meanwhile).
 */
export const keepAlive = (
  ctx: ExchangeContext,
  interval: Duration.Duration,
  publish: (event: RegistrationEvent) => Effect.Effect<unknown>,
  onRestored: Effect.Effect<unknown>
): Effect.Effect<never> =>
  Effect.gen(function*() {
    const callId = newCallId(ctx.config.contactHost)
    const fromTag = newTag()
    let cseq = 0
    let failing = false
    while (true) {
      yield* Effect.sleep(interval)
      cseq += 1
      const outcome = yield* finalResponse(ctx.layer, buildOptions(ctx.config, callId, fromTag, cseq), ctx.config)
      const problem = outcome._tag === "Failed"
        ? outcome
        : isHealthy(outcome.response.status)
        ? undefined
        : { status: outcome.response.status, reason: outcome.response.reason }
      if (problem !== undefined) {
        failing = true
        yield* publish({ _tag: "KeepAliveFailed", reason: problem.reason, ...(problem.status === undefined ? {} : { status: problem.status }) })
      } else if (failing) {
        failing = false
        yield* publish({ _tag: "KeepAliveRestored" })
        yield* onRestored
      }
    }
  })
