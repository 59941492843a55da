/**
 * What we send on our own clock: generated audio, one frame every ptime (RFC 3551 §4.2: 20 ms = 160
 * samples at 8 kHz; the media clock in media-clock.ts paces it on the call's one fiber), and RFC 4733
 * DTMF events (on the caller's fiber while it sends them). Both sleep on Effect's Clock, so TestClock
 * drives them.
 */
import { Effect } from "effect"
import { encodeEvent, eventCode, eventSchedule, GAP_MS, TONE_MS } from "./dtmf.ts"
import { encode } from "./g711.ts"
import type { SessionState } from "./session-state.ts"
import { silence } from "./sources/silence.ts"

export type Send = (packet: Uint8Array) => Effect.Effect<void>

/** One frame of the current source, or undefined when nothing is to be sent now. */
export const nextFrame = (state: SessionState, nowMs: number): Buffer | undefined => {
  const media = state.media
  if (media === undefined || !state.canSend || state.dtmfSending || state.law === undefined) return undefined
  const source = state.pcm ?? silence
  // Muted: keep the cadence (NAT bindings, the peer's jitter buffer) with silence.
  if (state.muted) silence.fill(state.frame)
  else if (!source.fill(state.frame)) state.pcm = silence // a file without loop ends in silence
  encode(state.law, state.frame, state.encoded)
  state.sender.resume(nowMs, state.clockRate, state.ptime)
  return state.sender.frame(state.lawPayloadType, state.encoded, state.frameSamples, nowMs)
}

/**
 * RFC 4733 §2.5.1: per digit, a start packet with the marker bit, updates every 50 ms, three end
 * packets, all with the event's start timestamp; audio pauses meanwhile, and a gap separates digits.
 * Unknown characters are skipped; without a negotiated telephone-event nothing is sent.
 */
// One generator function for every call (see bench/pinned-calls.ts for why).
export const sendDigits = Effect.fnUntraced(function*(state: SessionState, digits: string, send: Send) {
  for (const digit of digits) {
    const media = state.media
    const code = eventCode(digit)
    if (media === undefined || media.telephoneEvent === undefined || !state.canSend) {
      return yield* Effect.logDebug("DTMF not sent: no telephone-event negotiated or not sending", { digits })
    }
    if (code === undefined) continue
    const { payloadType, clockRate } = media.telephoneEvent
    state.dtmfSending = true
    const start = state.now()
    state.sender.resume(start, clockRate, state.ptime)
    const timestamp = state.sender.timestamp
    for (const step of eventSchedule(clockRate)) {
      const wait = start + step.atMs - state.now()
      if (wait > 0) yield* Effect.sleep(wait)
      yield* send(state.sender.event(payloadType, encodeEvent(code, step.end, step.duration), timestamp, step.marker, state.now()))
    }
    // The event used up its duration of the media clock; audio resumes as a new talkspurt.
    state.sender.timestamp = (timestamp + Math.round((TONE_MS * clockRate) / 1000)) >>> 0
    state.sender.talkspurt = true
    state.dtmfSending = false
    yield* Effect.sleep(GAP_MS)
  }
}, (effect, state) =>
  Effect.ensuring(effect, Effect.sync(() => {
    state.dtmfSending = false
  })))
