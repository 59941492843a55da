/**
 * A REGISTER client (RFC 3261 §10.2) over the TransactionLayer: registers when started, refreshes
 * before the granted expiry lapses, retries failures with backoff (RFC 5626 §4.5), optionally probes
 * the registrar with OPTIONS, and removes its binding (Expires: 0) when its scope closes.
 *
 * Nothing here fails once started: outcomes are events on `events`. Event policy: a sliding PubSub
 * (256 events; a consumer that lags loses the oldest) that replays the last 16 to a late subscriber,
 * so whoever subscribes just after `register` returns still sees the first outcome. The stream ends
 * when the scope closes, after `Unregistered`.
 */
import { Clock, Context, Effect, Layer, Option, PubSub, Queue, Random, type Scope, Stream } from "effect"
import { makeAuthenticator } from "../auth/index.ts"
import { ApplicationError } from "../errors.ts"
import { newCallId, newTag } from "../sip/index.ts"
import { TransactionLayer } from "../transaction/transaction-layer.ts"
import { boundContacts, grantedExpiry } from "./granted-expiry.ts"
import { keepAlive } from "./keep-alive.ts"
import { type ExchangeContext, registerExchange } from "./register-exchange.ts"
import { type RegistrationConfig, resolveConfig } from "./registration-config.ts"
import { backoffMs, type RegistrationEvent, refreshDelayMs } from "./registration-events.ts"

export interface RegistrationHandle {
  readonly events: Stream.Stream<RegistrationEvent>
  /** True while a binding the registrar granted us has not lapsed (by Effect's Clock). */
  readonly registered: Effect.Effect<boolean>
  /** Re-register now instead of at the next refresh (e.g. after a network change). */
  readonly refresh: Effect.Effect<void>
}

/** Registers `config.aor` for as long as the Scope lives. Fails only on a config it cannot use. */
export const register = Effect.fn("Registration.register")(function*(
  config: RegistrationConfig
): Effect.fn.Return<RegistrationHandle, ApplicationError, TransactionLayer | Scope.Scope> {
  const layer = yield* TransactionLayer
  const resolved = resolveConfig(config, layer.local)
  if (resolved instanceof ApplicationError) return yield* resolved
  const ctx: ExchangeContext = {
    layer,
    config: resolved,
    session: { callId: newCallId(resolved.contactHost), fromTag: newTag(), cseq: 0, expires: resolved.expires },
    authenticator: resolved.credentials === undefined ? undefined : makeAuthenticator(resolved.credentials)
  }
  const events = yield* Effect.acquireRelease(
    PubSub.sliding<RegistrationEvent>({ capacity: 256, replay: 16 }),
    (pubsub) => PubSub.shutdown(pubsub)
  )
  const publish = (event: RegistrationEvent) => PubSub.publish(events, event)
  const wake = yield* Queue.sliding<void>(1)
  const state = { everBound: false, expiresAt: 0 }

  /** Waits `ms`, or less if someone asks for a refresh. */
  const pause = (ms: number) => Effect.raceFirst(Effect.sleep(ms), Queue.take(wake))

  const cycle = Effect.gen(function*() {
    let failures = 0
    while (true) {
      // A refresh asked for while this exchange runs is served by it.
      yield* Queue.clear(wake)
      const outcome = yield* registerExchange(ctx, ctx.session.expires)
      const granted = outcome._tag === "Answered"
        ? grantedExpiry(outcome.response, resolved.contactUri, ctx.session.expires)
        : 0
      if (outcome._tag === "Answered" && granted > 0) {
        failures = 0
        state.everBound = true
        state.expiresAt = (yield* Clock.currentTimeMillis) + granted * 1000
        const refreshInMs = refreshDelayMs(granted)
        yield* publish({ _tag: "Registered", expires: granted, refreshInMs, contacts: boundContacts(outcome.response) })
        yield* pause(refreshInMs)
        continue
      }
      const retryInMs = backoffMs(failures, resolved.retryBaseSeconds, resolved.retryMaxSeconds, yield* Random.next)
      failures += 1
      yield* publish(
        outcome._tag === "Failed"
          ? { _tag: "RegistrationFailed", reason: outcome.reason, retryInMs, ...(outcome.status === undefined ? {} : { status: outcome.status }) }
          // §10.3: a 2xx granting no time for our contact means the binding is not there.
          : { _tag: "RegistrationFailed", status: outcome.response.status, reason: "NoBindingGranted", retryInMs }
      )
      yield* pause(retryInMs)
    }
  })

  // §10.2.2: remove our binding on the way out — bounded, since shutdown must not hang on a dead
  // registrar. Interruptible inside the (uninterruptible) finalizer so the timeout can cut it short.
  const unregister = Effect.gen(function*() {
    if (!state.everBound) return
    state.expiresAt = 0
    const outcome = yield* registerExchange(ctx, 0).pipe(Effect.interruptible, Effect.timeoutOption(resolved.unregisterTimeout))
    yield* publish(Option.match(outcome, {
      onNone: (): RegistrationEvent => ({ _tag: "Unregistered", removed: false, reason: "Timeout" }),
      onSome: (o): RegistrationEvent =>
        o._tag === "Answered"
          ? { _tag: "Unregistered", removed: true, status: o.response.status }
          : { _tag: "Unregistered", removed: false, reason: o.reason, ...(o.status === undefined ? {} : { status: o.status }) }
    }))
  })

  // Finalizers run in reverse: the probe and the cycle stop first, then the unregister, then the events end.
  yield* Effect.addFinalizer(() => unregister)
  yield* Effect.forkScoped(cycle)
  if (resolved.keepAliveInterval !== undefined) {
    yield* Effect.forkScoped(keepAlive(ctx, resolved.keepAliveInterval, publish, Queue.offer(wake, undefined)))
  }
  return {
    events: Stream.fromPubSub(events),
    registered: Effect.map(Clock.currentTimeMillis, (now) => now < state.expiresAt),
    refresh: Effect.asVoid(Queue.offer(wake, undefined))
  }
})

/**
 * The registration as a service: registered while the layer lives, unregistered when it is released.
 * Over a SipStack (`Registration.layer(config).pipe(Layer.provideMerge(SipStack.layer(...)))`) the Contact
 * defaults to the stack's own socket (advertised host, bound port), so the calls routed to it reach the
 * stack's handler, and the unregister goes out before the stack closes.
 */
export class Registration extends Context.Service<Registration, RegistrationHandle>()(
  "effect-sip/registration/Registration"
) {
  static readonly layer = (config: RegistrationConfig): Layer.Layer<Registration, ApplicationError, TransactionLayer> =>
    Layer.effect(Registration, register(config))
}
