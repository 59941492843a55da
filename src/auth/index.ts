/** Digest authentication for SIP requests (RFC 3261 §22, RFC 2617, RFC 7616, RFC 8760). */
export { type Authenticator, makeAuthenticator } from "./authenticator.ts"
export {
  chooseChallenge,
  type DigestAlgorithm,
  type DigestChallenge,
  parseAlgorithm,
  parseChallenge
} from "./digest-challenge.ts"
export {
  type ComputeOptions,
  computeCredentials,
  type CredentialsFields,
  type DigestCredentials,
  formatCredentials,
  newCnonce,
  parseCredentials
} from "./digest-credentials.ts"
export { type DigestInput, digestResponse, formatNc, ha1, ha2, hashHex } from "./digest-response.ts"
export { nextAttempt } from "./next-attempt.ts"
// The server side: challenging requests, the users, the nonces.
export { type AuthAnswer, type AuthCounts, type AuthVerdict, Challenger } from "./challenger.ts"
export { type ChallengerConfig, ChallengerLive, defaultChallengerConfig } from "./challenger-live.ts"
export { parseUsers, type ServerAlgorithm, UserStore, UserStoreLive, UsersFileError } from "./user-store.ts"
export { type ChallengeDomains, parseChallengeDomains } from "./challenge-domains.ts"
export { parseTrustedNetworks, type TrustedNetworks } from "./trusted-networks.ts"
