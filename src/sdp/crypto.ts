/**
 * SDES (RFC 4568): the a=crypto attribute that carries SRTP master keys in SDP, for RTP/SAVP streams.
 * We speak AES_CM_128_HMAC_SHA1_80 (RFC 3711's default, what werift-rtp's SRTP contexts implement), with
 * one inline key (30 bytes: 16 key + 14 salt) and no MKI. Our answer sends our own key with the tag of
 * the offer's line we accepted (§6.1); each side encrypts with its own key and decrypts with the other's.
 */
import { randomBytes } from "node:crypto"
import type { MediaAttributes } from "sdp-transform"

export const SRTP_SUITE = "AES_CM_128_HMAC_SHA1_80" as const
const KEY_AND_SALT = 30

/** SRTP keys of one stream, as SDES negotiated them. */
export interface SrtpKeys {
  readonly suite: typeof SRTP_SUITE
  /** Our master key and salt (what we encrypt with), 30 bytes. */
  readonly local: Uint8Array
  /** The peer's master key and salt (what we decrypt with), 30 bytes. */
  readonly remote: Uint8Array
}

export interface CryptoOffer {
  readonly tag: number
  readonly key: Uint8Array
}

/** What a server takes: SRTP when offered (optional), only SRTP (required, plain RTP gets 488), or
 *  plain RTP only (off: an SRTP-only offer gets 488). */
export type SrtpPolicy = "optional" | "required" | "off"

/** Profiles that need SDES keys. */
export const isSecureProfile = (protocol: string): boolean => /^RTP\/SAVPF?$/i.test(protocol)

/** May an m= line of this profile be our stream under `policy`? */
export const policyAllows = (policy: SrtpPolicy | undefined, protocol: string): boolean =>
  policy === undefined || policy === "optional" || (policy === "required") === isSecureProfile(protocol)

/** "inline:<base64>[|lifetime][|MKI:length]" → the key, or undefined when it is not one we can use. */
const inlineKey = (config: string): Uint8Array | undefined => {
  // Several keys (each needing an MKI) are beyond us: one key-param only.
  if (config.includes(";")) return undefined
  const match = /^inline:([A-Za-z0-9+/=]+)(\|[^|]*)?(\|[^|]*)?$/.exec(config.trim())
  if (match === null) return undefined
  // The third field, or a second one with ':', is an MKI: packets would carry it, which we do not parse.
  const extra = [match[2], match[3]].filter((f): f is string => f !== undefined)
  if (extra.some((f) => f.includes(":"))) return undefined
  const key = Buffer.from(match[1], "base64")
  return key.length === KEY_AND_SALT ? new Uint8Array(key) : undefined
}

/** The first a=crypto line of an m= line that we can use (§5.1.2: the offerer lists its preferred first). */
export const usableCrypto = (lines: MediaAttributes["crypto"]): CryptoOffer | undefined => {
  for (const line of lines ?? []) {
    if (line.suite.toUpperCase() !== SRTP_SUITE || line.sessionConfig !== undefined) continue
    const key = inlineKey(line.config)
    if (key !== undefined) return { tag: line.id, key }
  }
  return undefined
}

export const newMasterKey = (): Uint8Array => new Uint8Array(randomBytes(KEY_AND_SALT))

/** Our a=crypto line for `tag`. */
export const cryptoLine = (tag: number, key: Uint8Array): NonNullable<MediaAttributes["crypto"]> => [
  { id: tag, suite: SRTP_SUITE, config: `inline:${Buffer.from(key).toString("base64")}` }
]
