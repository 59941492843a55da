/**
 * RTCP for one session (RFC 3550 §6): the compound report we send every interval — an SR while we are
 * sending, else an RR, each followed by SDES CNAME (§6.1) — and what we keep from the peer's reports:
 * the last SR for LSR/DLSR (§6.4.1) and the peer's view of our stream.
 */
import {
  RtcpPacketConverter,
  RtcpReceiverInfo,
  RtcpRrPacket,
  RtcpSenderInfo,
  RtcpSourceDescriptionPacket,
  RtcpSrPacket,
  SourceDescriptionChunk,
  SourceDescriptionItem
} from "werift-rtp"
import type { RtpSender } from "./rtp-sender.ts"
import type { ReceiverStats } from "./stats.ts"

/** Seconds from 1900 (NTP epoch) to 1970 (Unix epoch). */
const NTP_OFFSET_SECONDS = 2208988800n
const SDES_CNAME = 1

/** §6.2: 5 s is the recommended minimum interval; a two-party call never needs the scaled one. */
export const RTCP_INTERVAL_MS = 5000

export const ntpFromMillis = (ms: number): bigint => {
  const whole = BigInt(Math.floor(ms / 1000))
  const fraction = BigInt(Math.floor(((ms % 1000) / 1000) * 2 ** 32))
  return ((whole + NTP_OFFSET_SECONDS) << 32n) | fraction
}

/** The middle 32 bits of an NTP timestamp, as LSR carries it. */
const middle32 = (ntp: bigint): number => Number((ntp >> 16n) & 0xffffffffn)

export interface PeerReport {
  readonly fractionLost: number
  readonly packetsLost: number
  readonly jitter: number
}

export class RtcpState {
  lastSrMiddle = 0
  lastSrArrivalMs: number | undefined = undefined
  peerReport: PeerReport | undefined = undefined
  /** Whether we sent RTP since the previous report: an SR, else an RR (§6.4). */
  packetsAtLastReport = 0
  /** Reports sent so far: a session that sent neither RTP nor RTCP sends no BYE (§6.3.7). */
  reportsSent = 0
  readonly cname: string
  constructor(cname: string) {
    this.cname = cname
  }
}

const receiverBlock = (state: RtcpState, receiver: ReceiverStats, nowMs: number): Array<RtcpReceiverInfo> => {
  if (receiver.ssrc === undefined) return []
  const dlsr = state.lastSrArrivalMs === undefined ? 0 : Math.round(((nowMs - state.lastSrArrivalMs) / 1000) * 65536)
  return [new RtcpReceiverInfo({
    ssrc: receiver.ssrc,
    fractionLost: receiver.takeIntervalFraction(),
    packetsLost: Math.min(receiver.lost, 0x7fffff),
    highestSequence: receiver.extendedMaxSeq >>> 0,
    jitter: Math.round(receiver.jitter) >>> 0,
    lsr: state.lastSrMiddle,
    dlsr
  })]
}

/** One compound packet: SR or RR, then SDES CNAME. */
export const buildReport = (state: RtcpState, sender: RtpSender, receiver: ReceiverStats, nowMs: number): Buffer => {
  const reports = receiverBlock(state, receiver, nowMs)
  const sent = sender.packets > state.packetsAtLastReport
  state.packetsAtLastReport = sender.packets
  const first = sent
    ? new RtcpSrPacket({
      ssrc: sender.ssrc,
      senderInfo: new RtcpSenderInfo({
        ntpTimestamp: ntpFromMillis(nowMs),
        rtpTimestamp: sender.timestamp,
        packetCount: sender.packets >>> 0,
        octetCount: sender.bytes >>> 0
      }),
      reports
    })
    : new RtcpRrPacket({ ssrc: sender.ssrc, reports })
  const sdes = new RtcpSourceDescriptionPacket({
    chunks: [new SourceDescriptionChunk({
      source: sender.ssrc,
      items: [new SourceDescriptionItem({ type: SDES_CNAME, text: state.cname })]
    })]
  })
  return Buffer.concat([first.serialize(), sdes.serialize()])
}

/** §6.6: leaving the session — a report, then BYE with our SSRC, as the last packet of the compound. */
export const buildBye = (state: RtcpState, sender: RtpSender, receiver: ReceiverStats, nowMs: number): Buffer => {
  const bye = Buffer.alloc(8)
  bye[0] = 0x81 // V=2, SC=1
  bye[1] = 203
  bye.writeUInt16BE(1, 2) // length in 32-bit words minus one
  bye.writeUInt32BE(sender.ssrc, 4)
  return Buffer.concat([buildReport(state, sender, receiver, nowMs), bye])
}

/** RFC 5761 §4: on a muxed port, payload types 192-223 in the second byte are RTCP. */
export const looksLikeRtcp = (bytes: Uint8Array): boolean => bytes.length >= 8 && bytes[1] >= 192 && bytes[1] <= 223

/** Take what we use from a peer's compound RTCP. Malformed RTCP is ignored (a peer's fault is no crash). */
export const receiveRtcp = (state: RtcpState, ourSsrc: number, bytes: Buffer, nowMs: number): void => {
  let packets: ReturnType<typeof RtcpPacketConverter.deSerialize>
  try {
    packets = RtcpPacketConverter.deSerialize(bytes)
  } catch {
    return
  }
  for (const packet of packets) {
    if (packet instanceof RtcpSrPacket) {
      state.lastSrMiddle = middle32(packet.senderInfo.ntpTimestamp)
      state.lastSrArrivalMs = nowMs
    }
    if (packet instanceof RtcpSrPacket || packet instanceof RtcpRrPacket) {
      const about = packet.reports.find((report) => report.ssrc === ourSsrc)
      if (about !== undefined) {
        state.peerReport = { fractionLost: about.fractionLost / 256, packetsLost: about.packetsLost, jitter: about.jitter }
      }
    }
  }
}
