/**
 * The sending side of one RTP stream (RFC 3550 §5.1): a random SSRC, random initial sequence number
 * and timestamp, seq + 1 per packet, timestamp + samples per frame, the marker bit on the first packet
 * of a talkspurt (RFC 3551 §4.1). Headers are written by rtp-header.ts (the per-packet path).
 */
import { randomUint32 } from "../random.ts"
import { writeRtp } from "./rtp-header.ts"
import type { SenderCounters } from "./stats.ts"

export class RtpSender implements SenderCounters {
  readonly ssrc = randomUint32()
  seq = randomUint32() & 0xffff
  timestamp = randomUint32()
  /** The next packet starts a talkspurt: set it at the start and after any pause in sending. */
  talkspurt = true
  packets = 0
  bytes = 0
  /** Clock time of the last packet sent, to advance the timestamp over pauses (§5.1). */
  lastSentMs: number | undefined = undefined
  /** Echo re-stamping: the peer's timestamp that maps onto `echoBase`. */
  private echoPeerSsrc: number | undefined = undefined
  private echoPeerBase = 0
  private echoBase = 0

  /** Serialise one packet at `timestamp`, advancing the sequence number (and the counters). */
  private build(payloadType: number, payload: Uint8Array, timestamp: number, marker: boolean, nowMs: number): Buffer {
    const packet = writeRtp(payloadType, marker, this.seq, timestamp, this.ssrc, payload)
    this.seq = (this.seq + 1) & 0xffff
    this.packets++
    this.bytes += payload.length
    this.lastSentMs = nowMs
    return packet
  }

  /** After a pause (hold, silence suppression, source change), keep the timestamp on the media clock. */
  resume(nowMs: number, clockRate: number, ptimeMs: number): void {
    if (this.lastSentMs === undefined) return
    const gap = nowMs - this.lastSentMs
    if (gap > ptimeMs * 2) {
      this.timestamp = (this.timestamp + Math.round(((gap - ptimeMs) * clockRate) / 1000)) >>> 0
      this.talkspurt = true
    }
  }

  /** One audio frame of `samples` samples. */
  frame(payloadType: number, payload: Uint8Array, samples: number, nowMs: number): Buffer {
    const packet = this.build(payloadType, payload, this.timestamp, this.talkspurt, nowMs)
    this.talkspurt = false
    this.timestamp = (this.timestamp + samples) >>> 0
    return packet
  }

  /** Send back a received packet under our own SSRC/seq/ts, keeping the peer's timing and marker. */
  echo(payloadType: number, payload: Uint8Array, peerSsrc: number, peerTimestamp: number, marker: boolean, nowMs: number): Buffer {
    if (this.echoPeerSsrc !== peerSsrc) {
      this.echoPeerSsrc = peerSsrc
      this.echoPeerBase = peerTimestamp
      this.echoBase = this.timestamp
    }
    const timestamp = (this.echoBase + peerTimestamp - this.echoPeerBase) >>> 0
    const packet = this.build(payloadType, payload, timestamp, marker || this.talkspurt, nowMs)
    this.talkspurt = false
    this.timestamp = (timestamp + payload.length) >>> 0
    return packet
  }

  /** Forget the echo mapping, so a later echo starts from our current timestamp. */
  resetEcho(): void {
    this.echoPeerSsrc = undefined
  }

  /** An RFC 4733 event packet: every packet of one event carries the event's start timestamp (§2.3.1). */
  event(payloadType: number, payload: Uint8Array, timestamp: number, marker: boolean, nowMs: number): Buffer {
    return this.build(payloadType, payload, timestamp, marker, nowMs)
  }
}
