/**
 * The echo source: what arrives goes back, payload untouched (any payload type, G722 included), under
 * our own SSRC, sequence numbers and timestamps (RTP is not reflected verbatim: RFC 3550 §8.2 loop
 * detection would flag the peer's own SSRC). Muted, the same cadence carries our silence instead.
 */
import { silenceByte } from "../g711.ts"
import type { RtpView } from "../rtp-header.ts"
import type { SessionState } from "../session-state.ts"

/** A muted echo must not allocate per packet: one shared run of silence bytes per law. */
let silenceCache: { byte: number; bytes: Uint8Array } | undefined
const silenceOf = (byte: number, length: number): Uint8Array => {
  if (silenceCache === undefined || silenceCache.byte !== byte || silenceCache.bytes.length < length) {
    silenceCache = { byte, bytes: new Uint8Array(Math.max(length, 480)).fill(byte) }
  }
  return silenceCache.bytes.subarray(0, length)
}

/** The reply to one received audio packet, or undefined when we are not echoing now. */
export const echoReply = (state: SessionState, header: RtpView, payload: Uint8Array, nowMs: number): Buffer | undefined => {
  if (state.source._tag !== "Echo" || !state.canSend || state.dtmfSending || state.rtpTarget === undefined) return undefined
  if (!state.muted) return state.sender.echo(header.payloadType, payload, header.ssrc, header.timestamp, header.marker, nowMs)
  // Muted: never the caller's own audio back; our G.711 silence of the same duration, when we have a law.
  if (state.law === undefined) return undefined
  const silence = silenceOf(silenceByte(state.law), payload.length)
  return state.sender.echo(state.lawPayloadType, silence, header.ssrc, header.timestamp, header.marker, nowMs)
}
