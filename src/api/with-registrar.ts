/**
 * Making a stack a registrar: `withRegistrar(options)` is the layer to provide under a SipStack (or a
 * ServerSessionManager), so its dialog layer hands REGISTER to a Registrar on the chosen location service,
 * challenged by digest authentication when a user store is given (and INVITE too, when asked). It also
 * outputs the Registrar, so the application can `lookup(aor)` where to route a call.
 */
import { Layer } from "effect"
import type { ChallengerConfig } from "../auth/challenger-live.ts"
import { ChallengerLive } from "../auth/challenger-live.ts"
import type { ChallengeDomains } from "../auth/challenge-domains.ts"
import type { TrustedNetworks } from "../auth/trusted-networks.ts"
import type { UserStore } from "../auth/user-store.ts"
import type { RegistrarConfig } from "../registrar/config.ts"
import { RegistrarLive } from "../registrar/live.ts"
import type { LocationService } from "../registrar/location.ts"
import { AuthGate, RegistrarUsage } from "../registrar/usage.ts"

export interface RegistrarOptions<E1, E2, R = never> {
  /** LocationMemory.layer, SqliteLocation.layer(dir) or PostgresLocation.layer(url). */
  readonly location: Layer.Layer<LocationService, E1, R>
  readonly config?: Partial<RegistrarConfig>
  /** Without users: an open registrar (no challenge). */
  readonly users?: Layer.Layer<UserStore, E2>
  readonly challenger?: Partial<ChallengerConfig>
  /** Methods challenged besides REGISTER, e.g. ["INVITE"]. */
  readonly challenge?: ReadonlyArray<string>
  /** Networks whose `challenge` methods go on unchallenged (REGISTER is always challenged). */
  readonly trust?: TrustedNetworks
  /** Only callers claiming these domains (From host) are asked for credentials (parseChallengeDomains). */
  readonly domains?: ChallengeDomains
}

export const withRegistrar = <E1, E2 = never, R = never>(options: RegistrarOptions<E1, E2, R>) => {
  const registrar = RegistrarLive.layer(options.config).pipe(Layer.provide(options.location))
  if (options.users === undefined) return RegistrarUsage.layer.pipe(Layer.provideMerge(registrar))
  const challenger = ChallengerLive.layer(options.challenger).pipe(Layer.provide(options.users))
  return Layer.mergeAll(RegistrarUsage.layer, AuthGate.layer(options.challenge ?? [], options.trust, options.domains)).pipe(
    Layer.provideMerge(challenger),
    Layer.provideMerge(registrar)
  )
}
