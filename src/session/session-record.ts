/**
 * The coordinator's own record of one call, and the registry of live calls. Mutable on purpose: one
 * record per call, touched only by the coordinator's fibers; the public view is the SessionEvent stream.
 * Where the call is in its life is `call`, changed only through the call machine (call-machine.ts).
 */
import type { Deferred, Fiber, Scope } from "effect"
import type { MediaSession, MediaSource } from "../media/media-engine.ts"
import type { NegotiatedMedia } from "../sdp/negotiated.ts"
import type { Call } from "./call-machine.ts"
import type { SessionTimer } from "./session-timer-rules.ts"
import type { DtmfMethod } from "./session-events.ts"
import type { LocalMedia, RemoteDescription } from "./media-negotiation.ts"
import { RegistryMap } from "../registry-map.ts"

export interface SessionRecord {
  readonly id: string
  /** The call leg's id from the dialog layer: opaque and stable. Outgoing: "" until the INVITE is sent. */
  legId: string
  callId: string
  call: Call
  /** Owns the call's media ports, fibers and timers: closed in every ending. */
  readonly scope: Scope.Closeable
  media: MediaSession | undefined
  source: MediaSource
  /** Our side of the SDP exchange (session id, o= version, codecs, port, direction). */
  local: LocalMedia | undefined
  /** The remote offer of the initial INVITE, parsed once (undefined: late offer). */
  remoteOffer: RemoteDescription | undefined
  negotiated: NegotiatedMedia | undefined
  /** Codec preference override for this call (names, preferred first). */
  codecs: ReadonlyArray<string> | undefined
  /** When the call last heard SIP or RTP (ms, Effect's Clock), and the RTP count seen then: silence.ts. */
  heardAt: number
  packetsHeard: number
  /** RFC 4028, when negotiated: the interval and who refreshes, and the fiber that refreshes or expires it. */
  sessionTimer?: SessionTimer | undefined
  sessionTimerFiber?: Fiber.Fiber<void> | undefined
  /** How sendDtmf sends digits when not told (RFC 4733 when undefined). */
  dtmf?: DtmfMethod | undefined
  /** Incoming late offer to a caller that takes reliable 18x: early media may start with our offer in a
   *  reliable 183 (RFC 3262 §5); once sent, the answer in its PRACK completes `answered`. */
  earlyOffer?: "allowed" | { readonly answered: Deferred.Deferred<void> } | undefined
  /** RFC 3891: the session this incoming call replaces once confirmed (src/transfer/replace-call.ts). */
  replaces?: string | undefined
}

let counter = 0
export const nextSessionId = (): string => `s${(++counter).toString(36)}-${Date.now().toString(36)}`

/** Live calls by session id and by leg id. */
export class SessionRegistry {
  private readonly bySession = new RegistryMap<string, SessionRecord>()
  private readonly byLeg = new RegistryMap<string, SessionRecord>()

  add(record: SessionRecord): void {
    this.bySession.set(record.id, record)
    if (record.legId !== "") this.byLeg.set(record.legId, record)
  }

  get(sessionId: string): SessionRecord | undefined {
    return this.bySession.get(sessionId)
  }

  byLegId(legId: string): SessionRecord | undefined {
    return this.byLeg.get(legId)
  }

  /** An outgoing call's INVITE went out: its leg id, once (a retry in the same call keeps it). */
  bindLeg(record: SessionRecord, legId: string): void {
    if (record.legId === legId) return
    record.legId = legId
    if (this.bySession.has(record.id)) this.byLeg.set(legId, record)
  }

  remove(record: SessionRecord): void {
    this.bySession.delete(record.id)
    if (this.byLeg.get(record.legId) === record) this.byLeg.delete(record.legId)
  }

  get size(): number {
    return this.bySession.size
  }

  all(): ReadonlyArray<SessionRecord> {
    return Array.from(this.bySession.values())
  }
}
