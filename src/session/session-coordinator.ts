/**
 * The SessionCoordinator service: call lifecycle, SDP and media orchestration, the SessionEvent
 * stream. It states intent; the dialog and transaction layers build and send the SIP.
 */
import { Context, type Effect, type Scope, type Stream } from "effect"
import type { ApplicationError, NetworkError, ProtocolError } from "../errors.ts"
import type { AcceptOptions } from "./call-decision.ts"
import type { CallState } from "./call-state.ts"
import type { CallOptions } from "./call-options.ts"
import type { DtmfMethod, SessionEvent } from "./session-events.ts"
import type { TransferTarget } from "../transfer/refer-decision.ts"

export type { DtmfMethod } from "./session-events.ts"

/** An operation's failure: refused by the call's state or arguments (ApplicationError), or the SIP
 *  under it failed, with its reason and cause (NetworkError, ProtocolError). */
export type CallError = ApplicationError | NetworkError | ProtocolError

export interface UpdateOptions {
  /** A new SDP offer in the UPDATE (default true); false: a body-less UPDATE (a session refresh). */
  readonly sdp?: boolean
}

/** Where `sendMessage` goes when it goes inside a call. */
export interface MessageInCall {
  readonly sessionId: string
}


export class SessionCoordinator extends Context.Service<SessionCoordinator, {
  /** Every event, from the moment the stream is run. Policy: a consumer more than 4096 events behind
   *  loses the oldest (sliding); calls never wait for consumers. */
  readonly events: Stream.Stream<SessionEvent>
  /** Subscribe now (nothing published after this call is missed); the subscription lives in the Scope. */
  readonly subscribe: Effect.Effect<Stream.Stream<SessionEvent>, never, Scope.Scope>
  accept(sessionId: string, options?: AcceptOptions): Effect.Effect<void, CallError>
  reject(sessionId: string, status: number, reason?: string): Effect.Effect<void, CallError>
  hold(sessionId: string): Effect.Effect<void, CallError>
  resume(sessionId: string): Effect.Effect<void, CallError>
  /** UPDATE (RFC 3311) in an established call: a new offer in our current direction (default), or
   *  `{ sdp: false }` for a body-less refresh. Glare (491) is retried after §14.1's interval. */
  update(sessionId: string, options?: UpdateOptions): Effect.Effect<void, CallError>
  /** BYE when answered, 480 while ringing here, CANCEL while we call. A call whose 2xx still awaits its
   *  ACK is Terminating at once and sends its BYE after the ACK (§15): CallEnded tells when it is over. */
  end(sessionId: string): Effect.Effect<void, CallError>
  /** Digits as RFC 4733 telephone-events in the RTP, or one INFO each (application/dtmf-relay); default:
   *  the call's method (AcceptOptions.dtmf, CallOptions.dtmf), else RFC 4733. */
  sendDtmf(sessionId: string, digits: string, method?: DtmfMethod): Effect.Effect<void, CallError>
  /** An INFO in an established call (RFC 6086); a non-2xx answer fails with ApplicationError "Rejected". */
  sendInfo(sessionId: string, contentType: string, body: string | Uint8Array): Effect.Effect<void, CallError>
  setMuted(sessionId: string, muted: boolean): Effect.Effect<void, ApplicationError>
  /** Record what the peer sends to a WAV file (16-bit PCM, 8 kHz) until the call ends. */
  record(sessionId: string, path: string): Effect.Effect<void, ApplicationError>
  /** Codec names, preferred first, for this call's next offer or answer. */
  setCodecPreferences(sessionId: string, codecs: ReadonlyArray<string>): Effect.Effect<void, ApplicationError>
  /** A MESSAGE (RFC 3428) to a SIP URI outside any call, or `{ sessionId }` inside that established call's
   *  dialog; a non-2xx answer fails with ApplicationError "Rejected". */
  sendMessage(to: string | MessageInCall, contentType: string, body: string | Uint8Array): Effect.Effect<void, CallError>
  /** Transfer the call (REFER, RFC 3515): blind to a URI, or attended, `{ replaces: otherId }`, to the peer of
   *  another call whose dialog the new call replaces (RFC 3891). TransferProgress events follow the NOTIFYs;
   *  on a 2xx one our leg ends with BYE and this succeeds. A refused REFER or a failed transfer fails it. */
  transfer(sessionId: string, target: TransferTarget): Effect.Effect<void, CallError>
  /** Place a call (INVITE with our SDP offer); its session id at once, its progress on `events`. */
  call(options: CallOptions): Effect.Effect<string, CallError>
  state(sessionId: string): Effect.Effect<CallState, ApplicationError>
  /** Live sessions, for drain checks. */
  readonly activeSessions: Effect.Effect<number>
  /** Refuse new calls (503) and end every call (BYE, CANCEL or 480), waiting up to shutdownTimeoutMs for
   *  their ends; what the stack's own finalizer does, for a shutdown sequence that must see the calls end. */
  readonly shutdown: Effect.Effect<void>
}>()("effect-sip/session/SessionCoordinator") {}
