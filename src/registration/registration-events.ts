/**
 * What a registration reports, and the two timing rules it runs on: when to refresh a binding and how
 * long to wait after a failure.
 */

export type RegistrationEvent =
  /** A 2xx: the registrar holds our binding for `expires` seconds; the refresh is due in `refreshInMs`. */
  | {
    readonly _tag: "Registered"
    readonly expires: number
    readonly refreshInMs: number
    /** Every binding of the AOR the registrar reported (§10.3 step 8: the 2xx lists them all). */
    readonly contacts: ReadonlyArray<string>
  }
  /** The REGISTER failed: a final non-2xx (`status`), a timeout or a network error; retried in `retryInMs`. */
  | {
    readonly _tag: "RegistrationFailed"
    readonly status?: number
    readonly reason: string
    readonly retryInMs: number
  }
  /** The scope closed: our binding was removed (`removed`), or the unregister failed or timed out. */
  | { readonly _tag: "Unregistered"; readonly removed: boolean; readonly status?: number; readonly reason?: string }
  /** An OPTIONS keep-alive got no usable answer. */
  | { readonly _tag: "KeepAliveFailed"; readonly status?: number; readonly reason: string }
  /** An OPTIONS keep-alive was answered again after failures; a re-registration follows. */
  | { readonly _tag: "KeepAliveRestored" }

/**
 * §10.2.4 leaves the refresh time to the UA. Ours: refresh at max(expires / 2, expires − 32 s). The
 * 32 s margin is Timer F (64·T1): even a refresh whose transaction times out ends before the binding
 * lapses, leaving room to retry; short bindings refresh at half-life. Never sooner than 1 s, so a
 * registrar granting a tiny expiry cannot make us spin.
 */
export const refreshDelayMs = (expires: number): number => Math.max(1000, Math.max(expires / 2, expires - 32) * 1000)

/**
 * RFC 5626 §4.5: wait-time = min(max-time, base-time · 2^(consecutive-failures)), then a random
 * fraction between 50 % and 100 % of it, so many UAs failing together do not retry in lockstep.
 * `random` is in [0, 1).
 */
export const backoffMs = (failures: number, baseSeconds: number, maxSeconds: number, random: number): number => {
  const ceiling = Math.min(maxSeconds, baseSeconds * 2 ** Math.min(failures, 30)) * 1000
  return Math.round(ceiling * (0.5 + random / 2))
}
