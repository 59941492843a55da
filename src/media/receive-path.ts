/**
 * The per-packet receive path, as plain functions (no Effect per packet): validate, filter by
 * negotiated payload type, learn the symmetric address, count (RFC 3550 A.3/A.8), detect DTMF
 * (RFC 4733), record, and hand audio to the echo source. Returns the reply packet, if any, for the caller to send.
 */
import type { DatagramSocket } from "effect/socket"
import { looksLikeRtcp, receiveRtcp } from "./rtcp.ts"
import { makeRtpView, readRtp, type RtpView } from "./rtp-header.ts"
import { asBuffer } from "../bytes.ts"
import type { SessionState } from "./session-state.ts"
import { echoReply } from "./sources/echo.ts"

const MIN_RTP = 12
/** Reused for every packet: parsing allocates nothing (single JS thread, no re-entrancy). */
const view = makeRtpView()

export const receiveRtcpDatagram = (state: SessionState, datagram: DatagramSocket.Datagram, nowMs: number): void => {
  const payload = state.srtp === undefined ? datagram.payload : state.srtp.unprotectRtcp(datagram.payload)
  if (payload === undefined) return
  if (!state.latchedRtcp) {
    state.rtcpTarget = datagram
    state.latchedRtcp = true
  }
  receiveRtcp(state.rtcp, state.sender.ssrc, asBuffer(payload), nowMs)
}

/** One datagram on the RTP port. `rtcpOnRtpPort`: RFC 5761 rtcp-mux demultiplexing is on. */
export const receiveRtpDatagram = (
  state: SessionState,
  datagram: DatagramSocket.Datagram,
  nowMs: number,
  rtcpOnRtpPort: boolean
): Buffer | undefined => {
  const bytes = datagram.payload
  if (state.media === undefined) return undefined // media flows only after apply
  if (bytes.length < MIN_RTP || (bytes[0] >> 6) !== 2) {
    state.discarded++
    return undefined
  }
  if (rtcpOnRtpPort && looksLikeRtcp(bytes)) {
    receiveRtcpDatagram(state, datagram, nowMs)
    return undefined
  }
  const payloadType = bytes[1] & 0x7f
  if (!state.accepts(payloadType)) {
    state.discarded++
    return undefined
  }
  // SRTP: authenticated and fresh, or dropped (counted in state.srtp) before anything reads the payload.
  const plain = state.srtp === undefined ? bytes : state.srtp.unprotectRtp(bytes)
  if (plain === undefined || !readRtp(plain, view)) {
    state.discarded++
    return undefined
  }
  return onPacket(state, datagram, view, plain.subarray(view.payloadOffset, view.payloadEnd), nowMs)
}

const onPacket = (
  state: SessionState,
  datagram: DatagramSocket.Datagram,
  header: RtpView,
  payload: Uint8Array,
  nowMs: number
): Buffer | undefined => {
  if (!state.latchedRtp) {
    state.rtpTarget = datagram
    state.latchedRtp = true
    if (state.media?.rtcpMux === true && !state.latchedRtcp) state.rtcpTarget = datagram
  }
  if (!state.receiver.update(header.ssrc, header.sequenceNumber, header.timestamp, nowMs, payload.length)) return undefined
  state.lastReceivedMs = nowMs
  state.timedOut = false
  if (!state.started) {
    state.started = true
    state.emit({ _tag: "MediaStarted" })
  }
  const media = state.media!
  if (media.telephoneEvent !== undefined && header.payloadType === media.telephoneEvent.payloadType) {
    const detected = state.dtmf.receive(payload, header.timestamp)
    if (detected !== undefined) state.emit({ _tag: "DtmfReceived", digit: detected.digit, durationMs: detected.durationMs })
    return undefined
  }
  state.record(header.payloadType, payload)
  return echoReply(state, header, payload, nowMs)
}
