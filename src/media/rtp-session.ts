/**
 * One call's media session: the MediaSession contract over a SessionState, a Wire (how packets leave)
 * and the call's Scope (which owns every fiber, the recorder and the event queue). Nothing is forked
 * when the session is made: its one fiber, the media clock, starts at `apply` (media-clock.ts).
 */
import { type Cause, Clock, Effect, Queue, Result, Scope, Semaphore, Stream } from "effect"
import { NetAddress } from "effect/net"
import type { DatagramSocket } from "effect/socket"
import type { NegotiatedMedia } from "../sdp/negotiated.ts"
import type { MediaEvent, MediaSession, MediaSource } from "./media-engine.ts"
import { reconcileClock } from "./media-clock.ts"
import { receiveRtcpDatagram, receiveRtpDatagram } from "./receive-path.ts"
import { buildBye } from "./rtcp.ts"
import { type Send, sendDigits } from "./send-loop.ts"
import { SessionState, type Target } from "./session-state.ts"
import { silence } from "./sources/silence.ts"
import { makeTone } from "./sources/tone.ts"
import { loadWavFile } from "./sources/wav-file.ts"
import { openWavRecorder } from "./sources/wav-recorder.ts"
import { snapshot } from "./stats.ts"

/** How packets leave: the engine gives sockets, tests give an in-memory list. Send errors are swallowed
 *  there (UDP is best effort; a lost packet shows up in the peer's RTCP, not as a failed call). */
export interface Wire {
  readonly sendRtp: (packet: Uint8Array, target: Target) => Effect.Effect<void>
  /** `muxed`: RFC 5761, RTCP goes out of the RTP socket to the RTP port. */
  readonly sendRtcp: (packet: Uint8Array, target: Target, muxed: boolean) => Effect.Effect<void>
}

export interface RtpSessionOptions {
  readonly localAddress: string
  readonly localPort: number
  readonly source: MediaSource
  readonly mediaTimeoutMs: number
  readonly wire: Wire
  readonly scope: Scope.Scope
}

export interface RtpSession extends MediaSession {
  readonly state: SessionState
  /** A batch from the RTP socket. */
  readonly onRtp: (batch: ReadonlyArray<DatagramSocket.Datagram>) => Effect.Effect<void>
  /** A batch from the RTCP socket. */
  readonly onRtcp: (batch: ReadonlyArray<DatagramSocket.Datagram>) => Effect.Effect<void>
}

const EVENT_QUEUE = 256
const RECORDER_FLUSH_MS = 1000

const inet = (host: string, port: number): NetAddress.InetAddress | undefined => {
  // c=0.0.0.0 is the legacy hold (RFC 3264 §8.4): nowhere to send.
  if (host === "0.0.0.0" || port === 0) return undefined
  const result = NetAddress.inetAddressFromIpString(host, port)
  return Result.isSuccess(result) ? result.success : undefined
}

// The generator functions below are module-level, one for every call, not made inside makeRtpSession:
// V8 gives each generator function object its own hidden class, in the old generation, and that pins
// what the function closes over, so a per-call one kept each call's session from dying young (see
// bench/pinned-calls.ts).

const changeSource = Effect.fnUntraced(function*(state: SessionState, source: MediaSource, reconcile: Effect.Effect<void>) {
  state.source = source
  state.sender.resetEcho()
  switch (source._tag) {
    case "Tone":
      state.pcm = makeTone(source.frequency)
      break
    case "File":
      state.pcm = yield* loadWavFile(source.path, source.loop ?? false).pipe(
        Effect.catch((error) => Effect.as(Effect.logWarning(`media: playing silence: ${error.message}`), silence))
      )
      break
    default:
      state.pcm = silence
  }
  yield* reconcile
})

const startRecording = Effect.fnUntraced(function*(state: SessionState, scope: Scope.Scope, path: string) {
  const recorder = yield* openWavRecorder(path)
  const previous = state.recorder
  state.recorder = recorder
  if (previous !== undefined) yield* previous.close
  yield* Scope.addFinalizer(scope, Effect.suspend(() => recorder.close))
  yield* Effect.forkIn(Effect.forever(Effect.andThen(Effect.sleep(RECORDER_FLUSH_MS), recorder.flush)), scope)
})

/** A batch from the RTP socket; echo answers go straight back. */
const receiveRtpBatch = Effect.fnUntraced(function*(state: SessionState, wire: Wire, batch: ReadonlyArray<DatagramSocket.Datagram>) {
  const now = Number(state.clock.currentTimeNanosUnsafe() / 1000n) / 1000
  const mux = state.media?.rtcpMux === true
  for (let i = 0; i < batch.length; i++) {
    const reply = receiveRtpDatagram(state, batch[i], now, mux)
    if (reply !== undefined && state.rtpTarget !== undefined) yield* wire.sendRtp(reply, state.rtpTarget)
  }
})

export const makeRtpSession: (options: RtpSessionOptions) => Effect.Effect<RtpSession> = Effect.fnUntraced(
  function*(options: RtpSessionOptions) {
    const { scope } = options
    const clock = yield* Clock.clockWith(Effect.succeed)
    const events = yield* Queue.dropping<MediaEvent, Cause.Done>(EVENT_QUEUE)
    yield* Scope.addFinalizer(scope, Queue.end(events))
    const state = new SessionState(
      clock, events, options.source, `effect-sip@${options.localAddress}:${options.localPort}`, options.mediaTimeoutMs
    )
    const dtmfLock = yield* Semaphore.make(1)
    // Every packet out goes through here: SRTP/SRTCP when the call negotiated RTP/SAVP.
    const wire: Wire = {
      sendRtp: (packet, target) => options.wire.sendRtp(state.srtp === undefined ? packet : state.srtp.protectRtp(packet), target),
      sendRtcp: (packet, target, muxed) =>
        options.wire.sendRtcp(state.srtp === undefined ? packet : state.srtp.protectRtcp(packet), target, muxed)
    }

    const sendRtp: Send = (packet) => state.rtpTarget === undefined ? Effect.void : wire.sendRtp(packet, state.rtpTarget)
    const sendRtcp: Send = (packet) =>
      state.rtcpTarget === undefined ? Effect.void : wire.sendRtcp(packet, state.rtcpTarget, state.media?.rtcpMux === true)

    // Runs before the sockets close (they were opened, and their finalizer registered, before us).
    // §6.3.7: a participant that never sent an RTP or RTCP packet MUST NOT send a BYE (most calls of a
    // zero-hold load test end before their first frame).
    yield* Scope.addFinalizer(scope, Effect.suspend(() =>
      state.media === undefined || (state.sender.packets === 0 && state.rtcp.reportsSent === 0)
        ? Effect.void
        : sendRtcp(buildBye(state.rtcp, state.sender, state.receiver, state.now()))))

    /** Echo answers on the receive path: its clock sends no frames (50 wake-ups a second per call are
     *  what a 1,000-call echo server must not pay for), it only reports and checks the timeout. */
    const reconcile = reconcileClock(state, sendRtp, sendRtcp, scope)

    const setSource = (source: MediaSource): Effect.Effect<void> => changeSource(state, source, reconcile)

    const apply = (media: NegotiatedMedia): Effect.Effect<void> =>
      Effect.suspend(() => {
        const rtcpPort = media.rtcpMux ? media.remotePort : media.remoteRtcpPort
        state.apply(media, inet(media.remoteAddress, media.remotePort), inet(media.remoteAddress, rtcpPort))
        return reconcile
      })

    const recordTo = (path: string): Effect.Effect<void> =>
      startRecording(state, scope, path).pipe(Effect.catch((error) => Effect.logWarning(`media: not recording: ${error.message}`)))

    const onRtp = (batch: ReadonlyArray<DatagramSocket.Datagram>) => receiveRtpBatch(state, wire, batch)

    const onRtcp = (batch: ReadonlyArray<DatagramSocket.Datagram>): Effect.Effect<void> =>
      Effect.sync(() => {
        const now = state.now()
        for (const datagram of batch) receiveRtcpDatagram(state, datagram, now)
      })

    yield* setSource(options.source)
    return {
      state,
      onRtp,
      onRtcp,
      localAddress: options.localAddress,
      localPort: options.localPort,
      apply,
      setSource,
      sendDtmf: (digits) => dtmfLock.withPermit(sendDigits(state, digits, sendRtp)),
      setMuted: (muted) => Effect.sync(() => { state.muted = muted }),
      recordTo,
      stats: Effect.sync(() => {
        const stats = snapshot(state.receiver, state.sender)
        return state.srtp === undefined ? stats : { ...stats, srtpDropped: state.srtp.authFailures + state.srtp.replayed }
      }),
      events: Stream.fromQueue(events),
      onFirstEvent: (wake) => state.onFirstEvent(wake)
    } satisfies RtpSession
  }
)
