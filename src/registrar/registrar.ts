/**
 * The Registrar service (RFC 3261 §10.3, RFC 3327, RFC 5626 §6): answers REGISTER from the location
 * service, expires bindings on Effect's Clock, and reports every change as an event. The contract only.
 */
import { Context, type Effect, type Stream } from "effect"
import type { UsageAnswer } from "../dialog/usage.ts"
import type { SipRequest } from "../sip/message.ts"
import type { Binding } from "./binding.ts"
import type { LocationError } from "./location.ts"

export type RegistrarEvent =
  | { readonly _tag: "Registered"; readonly binding: Binding }
  | { readonly _tag: "Refreshed"; readonly binding: Binding }
  | { readonly _tag: "Unregistered"; readonly binding: Binding }
  | { readonly _tag: "Expired"; readonly binding: Binding }

export class Registrar extends Context.Service<Registrar, {
  /** The answer to a REGISTER (200 with the bindings, 400, 423, 500); a storage failure is a 500. */
  register(request: SipRequest): Effect.Effect<UsageAnswer>
  /** The AOR's live bindings, highest q first: where to route a call for it. `aor` as in To ("sip:bob@host"). */
  lookup(aor: string): Effect.Effect<ReadonlyArray<Binding>, LocationError>
  /** Registered, Refreshed, Unregistered, Expired; a subscriber that lags loses the oldest. */
  readonly events: Stream.Stream<RegistrarEvent>
}>()("effect-sip/registrar/Registrar") {}
