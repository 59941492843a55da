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
