/**
 * The mutable state of one media session, shared by its receive path, its media clock (the call's one
 * fiber) and DTMF sending. All of them run on the one JS thread, so plain fields are enough; what
 * changes is told through methods that keep the invariants (hold, codec, source).
 */
import { type Cause, type Clock, type Fiber, Queue } from "effect"
import type { NetAddress } from "effect/net"
import type { DatagramSocket } from "effect/socket"
import type { NegotiatedMedia } from "../sdp/negotiated.ts"
import { DtmfReceiver } from "./dtmf.ts"
import { decode, type G711Law, g711Law } from "./g711.ts"
import type { MediaEvent, MediaSource } from "./media-engine.ts"
import { RTCP_INTERVAL_MS, RtcpState } from "./rtcp.ts"
import { RtpSender } from "./rtp-sender.ts"
import { SrtpStreams } from "./srtp.ts"
import type { PcmSource } from "./sources/pcm-source.ts"
import type { WavRecorder } from "./sources/wav-recorder.ts"
import { ReceiverStats } from "./stats.ts"

/** Where a packet goes: an address from the SDP, or the received datagram we answer (symmetric RTP). */
export type Target = NetAddress.InetAddress | DatagramSocket.Datagram

export class SessionState {
  readonly sender = new RtpSender()
  readonly receiver = new ReceiverStats()
  readonly rtcp: RtcpState
  dtmf = new DtmfReceiver(8000)
  media: NegotiatedMedia | undefined = undefined
  /** What generated audio (tone, file, silence) is encoded with: the send codec when it is G.711,
   *  else the first G.711 codec of the answer (RFC 3264 §5.1: any listed format may be sent); none
   *  (law undefined) when only G722 was agreed — then only echo sends. */
  law: G711Law | undefined = undefined
  lawPayloadType = 0
  source: MediaSource
  pcm: PcmSource | undefined = undefined
  muted = false
  dtmfSending = false
  recorder: WavRecorder | undefined = undefined
  /** RFC 4961 symmetric RTP: after the first packet, answer its source rather than the SDP address. */
  rtpTarget: Target | undefined = undefined
  rtcpTarget: Target | undefined = undefined
  latchedRtp = false
  latchedRtcp = false
  /** Payload types we accept (the negotiated codecs and telephone-event). */
  private accepted = new Uint8Array(128)
  lastReceivedMs: number
  started = false
  timedOut = false
  /** The media clock (media-clock.ts): its fiber, whether it generates audio, and when the RTCP report
   *  and the timeout check are due, kept here so that restarting the clock postpones neither. */
  clockFiber: Fiber.Fiber<void> | undefined = undefined
  clockGenerating = false
  nextReportMs: number
  nextCheckMs: number
  /** Counted, never thrown: junk from the network and payload types we did not negotiate. */
  discarded = 0
  /** RTP/SAVP: the call's SRTP contexts (srtp.ts), from the keys of the last `apply`. */
  srtp: SrtpStreams | undefined = undefined
  /** One frame of PCM and its encoding, sized by ptime at `apply`. */
  frame = new Int16Array(160)
  encoded = new Uint8Array(160)
  /** The recorder's decode buffer, made on the first recorded packet (most calls record nothing). */
  private decoded: Int16Array | undefined = undefined

  private emitted = false
  private wake: (() => void) | undefined = undefined

  readonly clock: Clock.Clock
  readonly events: Queue.Queue<MediaEvent, Cause.Done>

  readonly mediaTimeoutMs: number

  constructor(
    clock: Clock.Clock,
    events: Queue.Queue<MediaEvent, Cause.Done>,
    source: MediaSource,
    cname: string,
    mediaTimeoutMs: number
  ) {
    this.clock = clock
    this.events = events
    this.source = source
    this.rtcp = new RtcpState(cname)
    this.mediaTimeoutMs = mediaTimeoutMs
    this.lastReceivedMs = clock.currentTimeMillisUnsafe()
    this.nextReportMs = this.lastReceivedMs + RTCP_INTERVAL_MS
    this.nextCheckMs = mediaTimeoutMs > 0 ? this.lastReceivedMs + mediaTimeoutMs : Infinity
  }

  now(): number {
    return this.clock.currentTimeMillisUnsafe()
  }

  emit(event: MediaEvent): void {
    // A slow listener loses events (the queue drops) rather than slowing the media path.
    Queue.offerUnsafe(this.events, event)
    if (!this.emitted) {
      this.emitted = true
      const wake = this.wake
      this.wake = undefined
      wake?.()
    }
  }

  /** See MediaSession.onFirstEvent. */
  onFirstEvent(wake: () => void): void {
    if (this.emitted) wake()
    else this.wake = wake
  }

  /** RFC 3264 §5.1: recvonly and inactive streams send no RTP (RTCP goes on). */
  get canSend(): boolean {
    return this.media !== undefined && (this.media.direction === "sendrecv" || this.media.direction === "sendonly")
  }

  /** Whether the peer is expected to send us RTP (else no media timeout). */
  get expectsMedia(): boolean {
    return this.media !== undefined && !this.media.remoteHold &&
      (this.media.direction === "sendrecv" || this.media.direction === "recvonly")
  }

  accepts(payloadType: number): boolean {
    return this.accepted[payloadType] === 1
  }

  get ptime(): number {
    return this.media?.ptime ?? 20
  }

  get clockRate(): number {
    return this.media?.codec.clockRate ?? 8000
  }

  /** Samples per frame at the codec's RTP clock. */
  get frameSamples(): number {
    return Math.round((this.ptime * this.clockRate) / 1000)
  }

  apply(media: NegotiatedMedia, initialTarget: NetAddress.InetAddress | undefined, rtcpTarget: NetAddress.InetAddress | undefined): void {
    const previous = this.media
    this.media = media
    this.srtp = media.srtp === undefined ? undefined : this.srtp?.sameKeys(media.srtp) === true ? this.srtp : new SrtpStreams(media.srtp)
    const encodable = [media.codec, ...media.codecs].find((codec) => g711Law(codec.name) !== undefined)
    this.law = encodable === undefined ? undefined : g711Law(encodable.name)
    this.lawPayloadType = encodable?.payloadType ?? 0
    this.accepted = new Uint8Array(128)
    for (const codec of media.codecs) this.accepted[codec.payloadType & 0x7f] = 1
    this.accepted[media.codec.payloadType & 0x7f] = 1
    if (media.telephoneEvent !== undefined) {
      this.accepted[media.telephoneEvent.payloadType & 0x7f] = 1
      this.dtmf = new DtmfReceiver(media.telephoneEvent.clockRate)
    }
    this.receiver.clockRate = media.codec.clockRate
    if (this.frame.length !== this.frameSamples) {
      this.frame = new Int16Array(this.frameSamples)
      this.encoded = new Uint8Array(this.frameSamples)
    }
    const moved = previous === undefined || previous.remoteAddress !== media.remoteAddress ||
      previous.remotePort !== media.remotePort || previous.remoteRtcpPort !== media.remoteRtcpPort ||
      previous.rtcpMux !== media.rtcpMux
    if (moved) {
      // A new remote description: learn the symmetric address again (RFC 4961 §3).
      this.rtpTarget = initialTarget
      this.rtcpTarget = rtcpTarget
      this.latchedRtp = false
      this.latchedRtcp = false
    }
    if (!this.expectsMedia) this.timedOut = false
    this.lastReceivedMs = this.now()
  }

  /** Decode one received G.711 payload for the recorder (if any). */
  record(payloadType: number, payload: Uint8Array): void {
    const recorder = this.recorder
    if (recorder === undefined || this.media === undefined) return
    const codec = payloadType === this.media.codec.payloadType
      ? this.media.codec
      : this.media.codecs.find((c) => c.payloadType === payloadType)
    const law = codec === undefined ? undefined : g711Law(codec.name)
    const decoded = this.decoded ??= new Int16Array(2048)
    if (law === undefined || payload.length > decoded.length) return
    recorder.push(decode(law, payload, decoded.subarray(0, payload.length)))
  }
}
