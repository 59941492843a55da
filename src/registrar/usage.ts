/**
 * The registrar as a usage of the dialog layer (src/dialog/usage.ts): with this layer in a stack, REGISTER
 * is allowed (and in Allow) and answered by the Registrar; without it, 405 as before. With a Challenger in
 * context, REGISTER needs credentials first, and only the AOR's own user may change its bindings (§10.3
 * step 4). `AuthGate` challenges other requests (INVITE) the same way before the session sees them, except
 * from trusted networks (trusted-networks.ts) and, when domains are given, from callers outside them
 * (challenge-domains.ts).
 */
import { Effect, Layer, Option } from "effect"
import { Challenger } from "../auth/challenger.ts"
import type { ChallengeDomains } from "../auth/challenge-domains.ts"
import type { TrustedNetworks } from "../auth/trusted-networks.ts"
import { RequestGates, RequestUsages, type UsageAnswer } from "../dialog/usage.ts"
import { getHeader, isParseError, parseNameAddr, parseUri, type SipRequest } from "../sip/index.ts"
import type { Endpoint } from "../transport/transport.ts"
import { Registrar } from "./registrar.ts"

const forbidden: UsageAnswer = { status: 403, options: { reason: "Not your address-of-record" } }

/** The user part of the To URI: the one whose bindings a REGISTER changes. */
const aorUser = (request: SipRequest): string | undefined => {
  const to = parseNameAddr(getHeader(request, "to") ?? "")
  const uri = isParseError(to) ? to : parseUri(to.uri)
  return isParseError(uri) ? undefined : uri.user
}

const sourceOf = (source: Endpoint): string => source.host

export const RegistrarUsage = {
  layer: Layer.effect(
    RequestUsages,
    Effect.gen(function*() {
      const registrar = yield* Registrar
      const challenger = yield* Effect.serviceOption(Challenger)
      const others = yield* RequestUsages
      const handle = Option.match(challenger, {
        onNone: () => ({ request }: { request: SipRequest }) => registrar.register(request),
        onSome: (auth) => ({ request, source }: { request: SipRequest; source: Endpoint }) =>
          Effect.flatMap(auth.check(request, sourceOf(source)), (verdict) =>
            verdict._tag === "Refused"
              ? Effect.succeed<UsageAnswer>(verdict.answer)
              : verdict.username === aorUser(request)
              ? registrar.register(request)
              : Effect.succeed(forbidden))
      })
      return [...others, { methods: ["REGISTER"], handle }]
    })
  )
}

export const AuthGate = {
  /** `methods` (e.g. ["INVITE"]) need credentials from the Challenger before they go on, unless they
   *  come from a `trusted` network, or `domains` are given and the caller claims none of them. */
  layer: (methods: ReadonlyArray<string>, trusted?: TrustedNetworks, domains?: ChallengeDomains) =>
    Layer.effect(
      RequestGates,
      Effect.gen(function*() {
        const auth = yield* Challenger
        const others = yield* RequestGates
        const check = ({ request, source }: { request: SipRequest; source: Endpoint }) =>
          trusted?.trusts(source.host) || domains?.claims(request) === false
            ? Effect.succeed(undefined)
            : Effect.map(auth.check(request, sourceOf(source)), (v): UsageAnswer | undefined =>
            v._tag === "Refused" ? v.answer : undefined)
        return [...others, { methods, check }]
      })
    )
}
