/** A REGISTER client with refresh, backoff, digest authentication and OPTIONS keep-alive (RFC 3261 §10). */
export { boundContacts, grantedExpiry } from "./granted-expiry.ts"
export { type RegistrationConfig, type ResolvedConfig, resolveConfig } from "./registration-config.ts"
export { backoffMs, type RegistrationEvent, refreshDelayMs } from "./registration-events.ts"
export { register, Registration, type RegistrationHandle } from "./registration.ts"
