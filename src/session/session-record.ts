/**
 * The coordinator's own record of one call, and the registry of live calls. Mutable on purpose: one
 * record per call, touched only by the coordinator's fibers; the public view is the SessionEvent stream.
 */
import type { Deferred, Scope } from "effect"
import type { MediaSession, MediaSource } from "../media/media-engine.ts"
import type { NegotiatedMedia } from "../sdp/negotiated.ts"
import type { CallState } from "./call-state.ts"
import type { LocalMedia, RemoteDescription } from "./media-negotiation.ts"
import { RegistryMap } from "../registry-map.ts"

export interface SessionRecord {
  readonly id: string
  /** The call leg's id from the dialog layer (opaque, stable). Outgoing calls get it when the INVITE
   *  goes out: undefined until then. */
  dialogId: string
  readonly direction: "incoming" | "outgoing"
  callId: string
  state: CallState
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
  /** Outgoing: our ring timer sent the CANCEL, so the 487 that follows is a timeout, not a cancel. */
  ringTimedOut: boolean
  /** We offered in a 200 (late offer, or a body-less re-INVITE): the ACK carries the answer. */
  awaitingAckAnswer: boolean
  /** Incoming: our 2xx went out. */
  accepted: boolean
  /** The negotiated media is applied (RTP flowing): at the 183 for early media, else at the ACK. */
  mediaStarted: boolean
  /** Incoming: done when the ACK for our 2xx arrived (DialogConfirmed). */
  readonly confirmed: Deferred.Deferred<void>
}

let counter = 0
export const nextSessionId = (): string => `s${(++counter).toString(36)}-${Date.now().toString(36)}`

/** Live calls by session id and by leg id. */
export class SessionRegistry {
  private readonly bySession = new RegistryMap<string, SessionRecord>()
  private readonly byDialog = new RegistryMap<string, SessionRecord>()

  add(record: SessionRecord): void {
    this.bySession.set(record.id, record)
    if (record.dialogId !== "") this.byDialog.set(record.dialogId, record)
  }

  get(sessionId: string): SessionRecord | undefined {
    return this.bySession.get(sessionId)
  }

  byDialogId(dialogId: string): SessionRecord | undefined {
    return this.byDialog.get(dialogId)
  }

  /** An outgoing call's INVITE went out: its leg id, once (a retry in the same call keeps it). */
  bindLeg(record: SessionRecord, legId: string): void {
    if (record.dialogId === legId) return
    record.dialogId = legId
    if (this.bySession.has(record.id)) this.byDialog.set(legId, record)
  }

  remove(record: SessionRecord): void {
    this.bySession.delete(record.id)
    if (this.byDialog.get(record.dialogId) === record) this.byDialog.delete(record.dialogId)
  }

  get size(): number {
    return this.bySession.size
  }

  all(): ReadonlyArray<SessionRecord> {
    return Array.from(this.bySession.values())
  }
}
