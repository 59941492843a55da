/**
 * SRTP and SRTCP for one call (RFC 3711) on werift-rtp's contexts, keyed by SDES (src/sdp/crypto.ts):
 * we encrypt with our key and decrypt with the peer's. A packet that fails authentication, or that was
 * already received (the 64-packet replay window of §3.3.2), is dropped and counted, never decoded.
 */
import { RtpHeader, SrtcpSession, SrtpSession } from "werift-rtp"
import type { SrtpKeys } from "../sdp/crypto.ts"
import { asBuffer } from "../bytes.ts"

const PROFILE_AES_CM_128_HMAC_SHA1_80 = 1
const WINDOW = 64

const sessionKeys = (keys: SrtpKeys) => ({
  localMasterKey: Buffer.from(keys.local.subarray(0, 16)),
  localMasterSalt: Buffer.from(keys.local.subarray(16, 30)),
  remoteMasterKey: Buffer.from(keys.remote.subarray(0, 16)),
  remoteMasterSalt: Buffer.from(keys.remote.subarray(16, 30))
})

/** §3.3.2 replay list of one SSRC: the highest index seen and which of the 64 below it arrived. */
interface Replay {
  highest: number
  readonly seen: Float64Array
}

/** The 48-bit packet index nearest to the last one (RFC 3711 Appendix A's guess of the rollover count). */
const extend = (highest: number, seq: number): number => {
  const roc = Math.floor(highest / 65536)
  let best = roc * 65536 + seq
  for (const candidate of [(roc - 1) * 65536 + seq, (roc + 1) * 65536 + seq]) {
    if (candidate >= 0 && Math.abs(candidate - highest) < Math.abs(best - highest)) best = candidate
  }
  return best
}

export class SrtpStreams {
  private readonly rtp: SrtpSession
  private readonly rtcp: SrtcpSession
  private readonly replay = new Map<number, Replay>()
  authFailures = 0
  replayed = 0
  readonly keys: SrtpKeys

  constructor(keys: SrtpKeys) {
    this.keys = keys
    const config = { keys: sessionKeys(keys), profile: PROFILE_AES_CM_128_HMAC_SHA1_80 }
    this.rtp = new SrtpSession(config)
    this.rtcp = new SrtcpSession(config)
  }

  /** Same keys (a re-INVITE that kept them): keep the contexts and their rollover state. */
  sameKeys(keys: SrtpKeys): boolean {
    return Buffer.compare(keys.local, this.keys.local) === 0 && Buffer.compare(keys.remote, this.keys.remote) === 0
  }

  protectRtp(packet: Uint8Array): Buffer {
    const buffer = asBuffer(packet)
    const header = RtpHeader.deSerialize(buffer)
    return this.rtp.encrypt(buffer.subarray(header.payloadOffset), header)
  }

  protectRtcp(packet: Uint8Array): Buffer {
    return this.rtcp.encrypt(asBuffer(packet))
  }

  /** The plain RTP packet, or undefined (replayed or not authentic: counted). */
  unprotectRtp(packet: Uint8Array): Buffer | undefined {
    const ssrc = ((packet[8] << 24) | (packet[9] << 16) | (packet[10] << 8) | packet[11]) >>> 0
    const seq = (packet[2] << 8) | packet[3]
    const window = this.replay.get(ssrc)
    const index = window === undefined ? seq : extend(window.highest, seq)
    if (window !== undefined && (index + WINDOW <= window.highest || window.seen[index % WINDOW] === index)) {
      this.replayed++
      return undefined
    }
    let plain: Buffer
    try {
      plain = this.rtp.decrypt(asBuffer(packet))
    } catch {
      this.authFailures++
      return undefined
    }
    const state = window ?? { highest: index, seen: new Float64Array(WINDOW).fill(-1) }
    if (window === undefined) this.replay.set(ssrc, state)
    state.seen[index % WINDOW] = index
    if (index > state.highest) state.highest = index
    return plain
  }

  unprotectRtcp(packet: Uint8Array): Buffer | undefined {
    try {
      return this.rtcp.decrypt(asBuffer(packet))
    } catch {
      this.authFailures++
      return undefined
    }
  }
}
