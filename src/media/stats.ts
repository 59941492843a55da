/**
 * Per-stream reception statistics, as RFC 3550 Appendix A computes them: the extended highest sequence
 * number and loss (A.1, A.3), interarrival jitter (A.8), the interval fraction lost for RTCP reports
 * (§6.4.1), and a MOS estimate from a simplified ITU-T G.107 E-model.
 */
import type { MediaStats } from "./media-engine.ts"

const SEQ_MOD = 1 << 16
const MAX_DROPOUT = 3000
const MAX_MISORDER = 100

export class ReceiverStats {
  ssrc: number | undefined = undefined
  baseSeq = 0
  maxSeq = 0
  cycles = 0
  badSeq = SEQ_MOD + 1
  received = 0
  expectedPrior = 0
  receivedPrior = 0
  /** Loss counted on earlier SSRCs of this session (the peer may restart its stream, e.g. after a re-INVITE). */
  lostBefore = 0
  packets = 0
  bytes = 0
  /** A.8 state, in timestamp units. */
  transit: number | undefined = undefined
  jitter = 0
  clockRate = 8000
  /** The last RTP timestamp and sequence number accepted (for tests and the echo re-stamping). */
  lastTimestamp = 0

  /** Record one packet. Returns false for a packet that A.3 rejects (a wild jump not yet confirmed). */
  update(ssrc: number, seq: number, timestamp: number, arrivalMs: number, payloadBytes: number): boolean {
    if (this.ssrc !== ssrc) {
      if (this.ssrc !== undefined) this.lostBefore += this.lostNow()
      this.ssrc = ssrc
      this.initSeq(seq)
      this.transit = undefined
    } else if (!this.updateSeq(seq)) {
      return false
    }
    this.received++
    this.packets++
    this.bytes += payloadBytes
    this.lastTimestamp = timestamp
    // A.8: J += (|D(i-1,i)| - J) / 16, D from the change in relative transit time.
    const transit = (arrivalMs * this.clockRate) / 1000 - timestamp
    if (this.transit !== undefined) {
      let d = transit - this.transit
      if (d < 0) d = -d
      // A timestamp wrap makes a giant step; it is not jitter.
      if (d < 0x7fffffff) this.jitter += (d - this.jitter) / 16
    }
    this.transit = transit
    return true
  }

  private initSeq(seq: number) {
    this.baseSeq = seq
    this.maxSeq = seq
    this.badSeq = SEQ_MOD + 1
    this.cycles = 0
    this.received = 0
    this.receivedPrior = 0
    this.expectedPrior = 0
  }

  /** RFC 3550 A.1 update_seq, without the probation period (a SIP call names its peer). */
  private updateSeq(seq: number): boolean {
    const delta = (seq - this.maxSeq + SEQ_MOD) % SEQ_MOD
    if (delta < MAX_DROPOUT) {
      if (seq < this.maxSeq) this.cycles += SEQ_MOD
      this.maxSeq = seq
    } else if (delta <= SEQ_MOD - MAX_MISORDER) {
      if (seq !== this.badSeq) {
        this.badSeq = (seq + 1) & (SEQ_MOD - 1)
        return false
      }
      this.initSeq(seq) // two sequential packets: the source restarted
    }
    return true // in order, or a duplicate/reordered packet
  }

  get extendedMaxSeq(): number {
    return this.cycles + this.maxSeq
  }

  get expected(): number {
    return this.ssrc === undefined ? 0 : this.extendedMaxSeq - this.baseSeq + 1
  }

  private lostNow(): number {
    return Math.max(0, this.expected - this.received)
  }

  get lost(): number {
    return this.lostBefore + this.lostNow()
  }

  get jitterMs(): number {
    return (this.jitter * 1000) / this.clockRate
  }

  /** §6.4.1: the fraction lost since the previous report, as the 8-bit fixed-point RTCP field. */
  takeIntervalFraction(): number {
    const expected = this.expected
    const expectedInterval = expected - this.expectedPrior
    const receivedInterval = this.received - this.receivedPrior
    this.expectedPrior = expected
    this.receivedPrior = this.received
    const lostInterval = expectedInterval - receivedInterval
    return expectedInterval === 0 || lostInterval <= 0 ? 0 : Math.floor((lostInterval << 8) / expectedInterval)
  }
}

/**
 * MOS from loss and jitter by a simplified E-model (G.107): R = 93.2 − Id(delay) − Ie(loss), with the
 * effective latency taken as jitter×2 + 10 ms codec delay (no one-way delay measured), then the G.107
 * R → MOS mapping, clamped to 1..4.5.
 */
export const estimateMos = (lossFraction: number, jitterMs: number): number => {
  const latency = jitterMs * 2 + 10
  let r = latency < 160 ? 93.2 - latency / 40 : 93.2 - (latency - 120) / 10
  r -= lossFraction * 100 * 2.5
  if (r < 0) r = 0
  const mos = 1 + 0.035 * r + 0.000007 * r * (r - 60) * (100 - r)
  return Math.min(4.5, Math.max(1, mos))
}

export interface SenderCounters {
  packets: number
  /** Payload octets, as RTCP SR counts them (§6.4.1). */
  bytes: number
}

export const snapshot = (receiver: ReceiverStats, sender: SenderCounters): MediaStats => {
  const lost = receiver.lost
  const expected = lost + receiver.packets
  const lossFraction = expected === 0 ? 0 : lost / expected
  const jitterMs = receiver.jitterMs
  return {
    packetsSent: sender.packets,
    bytesSent: sender.bytes,
    packetsReceived: receiver.packets,
    bytesReceived: receiver.bytes,
    packetsLost: lost,
    lossFraction,
    jitterMs,
    mos: estimateMos(lossFraction, jitterMs)
  }
}
