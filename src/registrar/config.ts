/**
 * The registrar's limits (RFC 3261 §10.2.1.1, §10.3 step 7, §20.23): the shortest interval it accepts
 * (shorter gets 423 with Min-Expires), the longest it grants, the default without any Expires, and how
 * often expired bindings are swept (and reported as Expired).
 */
export interface RegistrarConfig {
  readonly minExpires: number
  readonly maxExpires: number
  readonly defaultExpires: number
  readonly sweepIntervalMs: number
}

export const defaultRegistrarConfig: RegistrarConfig = {
  minExpires: 60,
  maxExpires: 7200,
  defaultExpires: 3600,
  sweepIntervalMs: 1000
}
