/**
 * The MediaEngine service: RTP/RTCP media for calls. Contract between src/media and src/session.
 * Every RTP socket is owned by the Scope of the call that opened it: closing that scope stops the
 * media fibers and returns the ports to the pool. The implementation is MediaLive (live.ts), its config
 * MediaConfig (config.ts).
 */
import { Context, type Effect, type Scope, type Stream } from "effect"
import type { NetworkError } from "../errors.ts"
import type { NegotiatedMedia } from "../sdp/negotiated.ts"

/** What a call plays towards the peer. */
export type MediaSource =
  | { readonly _tag: "Echo" }
  | { readonly _tag: "Tone"; readonly frequency: number }
  | { readonly _tag: "Silence" }
  | { readonly _tag: "File"; readonly path: string; readonly loop?: boolean }

export interface MediaStats {
  readonly packetsSent: number
  readonly bytesSent: number
  readonly packetsReceived: number
  readonly bytesReceived: number
  /** Packets lost, by sequence gaps (RFC 3550 A.3). */
  readonly packetsLost: number
  /** Fraction lost, 0..1. */
  readonly lossFraction: number
  /** Interarrival jitter in ms (RFC 3550 A.8). */
  readonly jitterMs: number
  /** E-model estimate, 1..4.5. */
  readonly mos: number
  /** SRTP calls only: packets dropped unread because they failed authentication or were replayed. */
  readonly srtpDropped?: number
}

export type MediaEvent =
  | { readonly _tag: "DtmfReceived"; readonly digit: string; readonly durationMs: number }
  | { readonly _tag: "MediaTimeout"; readonly silentForMs: number }
  | { readonly _tag: "QualityReport"; readonly stats: MediaStats }
  | { readonly _tag: "MediaStarted" }

export interface MediaSession {
  /** The local RTP address to put in our SDP (RTCP is port+1). */
  readonly localAddress: string
  readonly localPort: number
  /** Begin (or change, after a re-INVITE) sending and receiving per the negotiated media. */
  apply(media: NegotiatedMedia): Effect.Effect<void>
  setSource(source: MediaSource): Effect.Effect<void>
  /** Send RFC 4733 events, one per digit (0-9 * # A-D). */
  sendDtmf(digits: string): Effect.Effect<void>
  /** Muted: keep sending, but silence (keeps NAT bindings and the peer's jitter buffer alive). */
  setMuted(muted: boolean): Effect.Effect<void>
  /** Record what arrives to a WAV file (G.711 decoded to 16-bit PCM) until the session ends. */
  recordTo(path: string): Effect.Effect<void>
  readonly stats: Effect.Effect<MediaStats>
  /** One consumer (the call's coordinator): events are queued from `open` on, so none is missed before
   *  the stream is run; a consumer that falls 256 events behind loses the newest. Ends with the scope. */
  readonly events: Stream.Stream<MediaEvent>
  /** Calls `wake` once, when the first event is queued (at once if one already is): a consumer can start
   *  reading `events` only for the calls that have any (a short call usually has none). Optional. */
  readonly onFirstEvent?: ((wake: () => void) => void) | undefined
}

export class MediaEngine extends Context.Service<MediaEngine, {
  /** Allocate an RTP/RTCP port pair and open its sockets, owned by the caller's Scope. Fails with
   *  NetworkError "PortPoolExhausted" when no pair is free. Media flows only after `apply`. */
  open(source: MediaSource): Effect.Effect<MediaSession, NetworkError, Scope.Scope>
  /** Port pairs in use, for drain checks. */
  readonly portsInUse: Effect.Effect<number>
}>()("effect-sip/media/MediaEngine") {}
