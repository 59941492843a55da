/**
 * Configuration of the SessionCoordinator: what the server does without its user writing SIP.
 */
import type { DigestCredentials } from "../auth/digest-credentials.ts"
import type { MediaSource } from "../media/media-engine.ts"
import type { SrtpPolicy } from "../sdp/crypto.ts"
import type { ReferHandler } from "../transfer/refer-decision.ts"
import type { CallHandler } from "./call-decision.ts"

export interface CoordinatorConfig {
  /** Codec names, preferred first (PCMU, PCMA, G722). */
  readonly codecs: ReadonlyArray<string>
  /** What a call plays when the handler does not say. */
  readonly defaultMedia: MediaSource
  /** Calls beyond this are refused with `busyStatus`. */
  readonly maxCalls: number
  /** 486 Busy Here, or 503 Service Unavailable with Retry-After. */
  readonly busyStatus: 486 | 503
  /** Decides each incoming call. */
  readonly handler: CallHandler
  /** How long shutdown waits for the BYEs of active calls. */
  readonly shutdownTimeoutMs: number
  /** Ring timeout: deferred incoming calls unanswered after this get 480; calls we place are CANCELled. 0 disables. */
  readonly ringTimeoutMs: number
  /** Upper bound on a call's silence: no SIP and no RTP for this long ends it (BYE, TimedOut "media"),
   *  whether its media started or not. 0 or absent disables. */
  readonly mediaTimeoutMs?: number
  /** Our From for calls we place, e.g. "<sip:effect-sip@192.0.2.1>". */
  readonly localUri?: string
  /** Digest credentials for calls placed through this stack. */
  readonly credentials?: DigestCredentials
  /** RFC 4028 session timers: the interval we ask for and grant (default 1800 s) and the smallest we
   *  accept (Min-SE, default 90 s; a smaller Session-Expires gets 422). */
  readonly sessionExpiresSeconds?: number
  readonly minSessionExpiresSeconds?: number
  /** RFC 3428: a MESSAGE whose body is larger gets 413 (default 8192 bytes). */
  readonly maxMessageBytes?: number
  /** RFC 3262 §4: our INVITEs say `Require: 100rel`, not only `Supported` (default false). */
  readonly require100rel?: boolean
  /** Decides each REFER (RFC 3515) in our calls; default: declined with 603. */
  readonly referHandler?: ReferHandler
  /** Which offers incoming calls may use: SRTP when offered (default), SRTP only, or plain RTP only. */
  readonly srtp?: SrtpPolicy
}

export const defaultLocalUri = "<sip:effect-sip@127.0.0.1>"

