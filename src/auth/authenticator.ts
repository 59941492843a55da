/**
 * A small stateful digest client (RFC 3261 §22.2–§22.3, RFC 2617 §3.2.2): answers a 401/407 with the
 * request to resend, counts nonce uses (nc) per nonce, and signs later requests with the last
 * challenge of each realm so a refresh need not be challenged again.
 */
import { ProtocolError } from "../errors.ts"
import { getHeader, getHeaders, isParseError } from "../sip/index.ts"
import type { SipHeader, SipRequest, SipResponse } from "../sip/message.ts"
import { type DigestChallenge, chooseChallenge } from "./digest-challenge.ts"
import { type DigestCredentials, computeCredentials, formatCredentials, parseCredentials } from "./digest-credentials.ts"
import { nextAttempt } from "./next-attempt.ts"

export interface Authenticator {
  /**
   * The request to send after `response` (a 401 or 407) answered `request`: same Call-ID and From tag,
   * CSeq + 1, a new Via branch (§8.1.3.5, §22.2), with credentials for the strongest challenge.
   * Fails with ProtocolError "AuthenticationFailed" when the credentials were refused (a new challenge
   * without stale=true after we sent credentials for that realm) or nothing is answerable.
   */
  readonly respond: (request: SipRequest, response: SipResponse) => SipRequest | ProtocolError
  /** Adds credentials for every realm already challenged in this session (§22.3: reuse with nc + 1). */
  readonly sign: (request: SipRequest) => SipRequest
}

interface Answered {
  readonly challenge: DigestChallenge
  /** Proxy-Authorization (407) or Authorization (401). */
  readonly name: "Authorization" | "Proxy-Authorization"
}

const keyOf = (name: Answered["name"]): string => name.toLowerCase()

const failure = (message: string, status: number): ProtocolError =>
  new ProtocolError({ reason: "AuthenticationFailed", message, status })

/** The request's credentials header values for `realm` under `key`. */
const credentialsFor = (request: SipRequest, key: string, realm: string): ReadonlyArray<Readonly<Record<string, string>>> =>
  getHeaders(request, key).flatMap((v) => {
    const params = parseCredentials(v)
    return params !== undefined && params.realm === realm ? [params] : []
  })

/** `request` with the credentials of `realm` under `name` replaced by `value` (§22.3: other realms stay). */
const replaceCredentials = (request: SipRequest, name: Answered["name"], realm: string, value: string): SipRequest => {
  const key = keyOf(name)
  const headers: Array<SipHeader> = request.headers.filter((h) =>
    h.key !== key || parseCredentials(h.value)?.realm !== realm
  )
  headers.push({ name, key, value })
  return { ...request, headers }
}

const requestKey = (request: SipRequest): string => `${getHeader(request, "call-id") ?? ""} ${getHeader(request, "cseq") ?? ""}`

export const makeAuthenticator = (credentials: DigestCredentials): Authenticator => {
  const answered = new Map<string, Answered>()
  const counts = new Map<string, number>()
  /** Requests `sign` decorated with reused credentials: a challenge to those is not a refusal.
   *  Bounded: only the latest few can still be waiting for their answer. */
  const presigned = new Set<string>()
  const PRESIGNED_LIMIT = 32

  const nextCount = (nonce: string): number => {
    const n = (counts.get(nonce) ?? 0) + 1
    counts.set(nonce, n)
    return n
  }

  const credentialsValue = (challenge: DigestChallenge, request: SipRequest): string =>
    formatCredentials(computeCredentials(challenge, credentials, {
      method: request.method,
      uri: request.uri,
      count: nextCount(challenge.nonce),
      body: request.body
    }))

  const respond = (request: SipRequest, response: SipResponse): SipRequest | ProtocolError => {
    const status = response.status
    if (status !== 401 && status !== 407) {
      return new ProtocolError({ reason: "UnexpectedResponse", message: `${status} is not a challenge`, status })
    }
    const name = status === 401 ? "Authorization" : "Proxy-Authorization"
    const challenge = chooseChallenge(
      getHeaders(response, status === 401 ? "www-authenticate" : "proxy-authenticate"),
      credentials.realm
    )
    if (challenge === undefined) {
      const realm = credentials.realm === undefined ? "" : ` for realm ${credentials.realm}`
      return failure(`${status} carries no supported Digest challenge${realm}`, status)
    }
    const sent = credentialsFor(request, keyOf(name), challenge.realm)
    const wasPresigned = presigned.delete(requestKey(request))
    if (sent.length > 0 && !wasPresigned) {
      // §22.2 / RFC 2617 §3.2.1: a fresh challenge to credentials we computed for the last one means
      // they were refused, unless the server only found the nonce stale.
      if (!challenge.stale) return failure(`Credentials for realm "${challenge.realm}" refused (${status})`, status)
      if (sent.some((p) => p.nonce === challenge.nonce)) {
        return failure(`stale=true with the nonce already used for realm "${challenge.realm}"`, status)
      }
    }
    const next = nextAttempt(request)
    if (isParseError(next)) return failure(`Cannot resend: ${next.message}`, status)
    // Only the current nonce of each realm is ever used again: forget the count of the one it replaces.
    const previous = answered.get(challenge.realm)
    if (previous !== undefined && previous.challenge.nonce !== challenge.nonce) counts.delete(previous.challenge.nonce)
    answered.set(challenge.realm, { challenge, name })
    return replaceCredentials(next, name, challenge.realm, credentialsValue(challenge, next))
  }

  const sign = (request: SipRequest): SipRequest => {
    if (answered.size === 0) return request
    let out = request
    for (const { challenge, name } of answered.values()) {
      out = replaceCredentials(out, name, challenge.realm, credentialsValue(challenge, out))
    }
    presigned.add(requestKey(out))
    if (presigned.size > PRESIGNED_LIMIT) presigned.delete(presigned.values().next().value!)
    return out
  }

  return { respond, sign }
}
