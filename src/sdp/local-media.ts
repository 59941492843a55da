/**
 * Our side of one call's offer/answer exchanges: the o= line's identity, where we receive RTP, which
 * codecs we take (preferred first) and the direction we last asked for. One mutable record per call,
 * because RFC 3264 §8 ties every description we send to the previous one (same o= session id, version
 * incremented by one).
 */
import type { SessionDescription } from "sdp-transform"
import type { CodecSpec } from "./codecs.ts"
import { newMasterKey, type SrtpPolicy } from "./crypto.ts"
import { codecSpec, isTelephoneEvent, sameCodec } from "./codecs.ts"
import type { Direction } from "./negotiated.ts"
import type { Binding } from "./payload-types.ts"

/** One m= line of the session: our audio stream, or a stream refused with port 0 (kept in place, §8). */
export type MediaSlot =
  | { readonly kind: "audio"; readonly protocol: string }
  | { readonly kind: "refused"; readonly type: string; readonly protocol: string; readonly payloads: string }

export interface LocalMedia {
  /** o= sess-id: fixed for the whole call (RFC 3264 §8). */
  readonly sessionId: string
  /** o= sess-version of the last description we wrote (or of the first one, before it is written). */
  version: number
  /** True once a description went out: the next one gets version + 1. */
  described: boolean
  /** Where we receive RTP (c= and m=). */
  readonly address: string
  readonly port: number
  /** Audio codecs we send and receive, preferred first (telephone-event is the flag below, not a codec). */
  readonly codecs: ReadonlyArray<CodecSpec>
  /** Offer/accept RFC 4733 telephone-event for DTMF. */
  readonly telephoneEvent: boolean
  /** a=ptime we offer (ms). */
  readonly ptime: number
  /** Offer a=rtcp-mux (RFC 5761). Off by default (classic SIP peers expect RTCP on port + 1); once an
   *  exchange settled it, it follows that result so re-offers keep it (RFC 5761 §5.1.3). */
  rtcpMux: boolean
  /** The session's m= lines so far: a re-offer keeps every one, in place (RFC 3264 §8), and keeps the
   *  audio profile the peer chose (RTP/AVPF stays AVPF). */
  layout: ReadonlyArray<MediaSlot>
  /** Payload type numbers bound to codecs so far: a re-offer keeps them (RFC 3264 §8.3.2). */
  bindings: ReadonlyArray<Binding>
  /** The direction we last offered (sendonly while we hold the peer): a peer's re-offer cannot undo it. */
  direction: Direction
  /** Our last offer: the one a late-offer answer (in the ACK) refers to when the caller has no copy. */
  lastOffer: string | undefined
  /** Our SRTP master key and salt (RFC 4568), made when we first offer or accept RTP/SAVP. */
  srtpKey: Uint8Array | undefined
  /** Which offered profiles we answer (crypto.ts); default optional. */
  readonly srtpPolicy?: SrtpPolicy
}

export interface LocalMediaOptions {
  readonly sessionId?: string
  readonly ptime?: number
  readonly telephoneEvent?: boolean
  readonly rtcpMux?: boolean
  /** Offer RTP/SAVP with an SDES key instead of RTP/AVP. */
  readonly srtp?: boolean
  readonly srtpPolicy?: SrtpPolicy
}

/** What we offer when the application names no codec: G.711 both laws (plus telephone-event). */
export const defaultCodecs: ReadonlyArray<string> = ["PCMU", "PCMA"]

/**
 * A session id that is unique enough and fits the 64-bit signed limit of RFC 3264 §5 (and a JS safe
 * integer): milliseconds since the epoch times 1000 plus a random tail.
 */
const newSessionId = (): string => String(Date.now() * 1000 + Math.floor(Math.random() * 1000))

// Every call resolves the same configured names: resolved once per distinct list (bounded, specs are immutable).
const described = new Map<string, ReadonlyArray<CodecSpec>>()

const describable = (names: ReadonlyArray<string>): ReadonlyArray<CodecSpec> => {
  const key = names.join("\n")
  const known = described.get(key)
  if (known !== undefined) return known
  if (described.size >= 64) described.clear()
  const specs = describe(names)
  described.set(key, specs)
  return specs
}

const describe = (names: ReadonlyArray<string>): ReadonlyArray<CodecSpec> => {
  const specs: Array<CodecSpec> = []
  for (const name of names) {
    const spec = codecSpec(name)
    if (spec === undefined || isTelephoneEvent(spec)) continue
    if (!specs.some((known) => sameCodec(known, spec))) specs.push(spec)
  }
  // Nothing describable (every name unknown): an offer needs at least one format, so use the defaults.
  return specs.length > 0 || names === defaultCodecs ? specs : describable(defaultCodecs)
}

/**
 * Our media for one call. Names in `codecs` that we cannot describe (no known clock rate) are skipped,
 * and when none is left the defaults apply. "telephone-event" is not a codec: DTMF is `options.telephoneEvent`
 * (on by default).
 */
export const newLocalMedia = (
  address: string,
  port: number,
  codecs: ReadonlyArray<string>,
  options: LocalMediaOptions = {}
): LocalMedia => {
  const specs = describable(codecs)
  return {
    sessionId: options.sessionId ?? newSessionId(),
    version: 1,
    described: false,
    address,
    port,
    codecs: specs,
    telephoneEvent: options.telephoneEvent ?? true,
    ptime: options.ptime ?? 20,
    rtcpMux: options.rtcpMux ?? false,
    layout: [{ kind: "audio", protocol: options.srtp === true ? "RTP/SAVP" : "RTP/AVP" }],
    bindings: [],
    direction: "sendrecv",
    lastOffer: undefined,
    srtpKey: options.srtp === true ? newMasterKey() : undefined,
    ...(options.srtpPolicy === undefined ? {} : { srtpPolicy: options.srtpPolicy })
  }
}

/** The version for the description about to be written: the first keeps it, each later one bumps it. */
export const nextVersion = (local: LocalMedia): number => {
  if (local.described) local.version += 1
  local.described = true
  return local.version
}

const ipVersion = (address: string): number => (address.includes(":") ? 6 : 4)

/** The session-level lines of every description we write (RFC 4566 §5): v=, o=, s=, c=, t=. */
export const sessionSkeleton = (local: LocalMedia, version: number): Omit<SessionDescription, "media"> => ({
  version: 0,
  origin: {
    username: "-",
    sessionId: local.sessionId,
    sessionVersion: version,
    netType: "IN",
    ipVer: ipVersion(local.address),
    address: local.address
  },
  name: "effect-sip",
  connection: { version: ipVersion(local.address), ip: local.address },
  timing: { start: 0, stop: 0 }
})
