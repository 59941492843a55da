/**
 * RFC 4733 telephone-events for DTMF: the 4-byte event payload (§2.3), the receiver's de-duplication
 * of an event's updates and its three end packets (§2.5.2), and the sender's schedule (§2.5.1).
 */

const DIGITS = "0123456789*#ABCD"

/** §3.2: events 0-9, 10 = *, 11 = #, 12-15 = A-D. */
export const eventCode = (digit: string): number | undefined => {
  const code = DIGITS.indexOf(digit.toUpperCase())
  return code < 0 || digit.length !== 1 ? undefined : code
}
export const eventDigit = (code: number): string | undefined => (code < DIGITS.length ? DIGITS[code] : undefined)

export interface TelephoneEventPayload {
  readonly event: number
  readonly end: boolean
  readonly volume: number
  /** In timestamp units, since the event's timestamp. */
  readonly duration: number
}

export const encodeEvent = (event: number, end: boolean, duration: number, volume = 10): Uint8Array => {
  const out = new Uint8Array(4)
  out[0] = event
  out[1] = (end ? 0x80 : 0) | (volume & 0x3f)
  out[2] = (duration >> 8) & 0xff
  out[3] = duration & 0xff
  return out
}

export const decodeEvent = (payload: Uint8Array): TelephoneEventPayload | undefined =>
  payload.length < 4 ? undefined : {
    event: payload[0],
    end: (payload[1] & 0x80) !== 0,
    volume: payload[1] & 0x3f,
    duration: (payload[2] << 8) | payload[3]
  }

export interface DtmfDetected {
  readonly digit: string
  readonly durationMs: number
}

/**
 * One report per event, keyed by its timestamp (§2.5.2.1: every packet of an event shares it). The
 * report goes out on the first end packet; an event whose end packets were all lost is reported when
 * the next event starts.
 */
export class DtmfReceiver {
  private timestamp: number | undefined = undefined
  private event = 0
  private duration = 0
  private reported = true

  private readonly clockRate: number
  constructor(clockRate: number) {
    this.clockRate = clockRate
  }

  receive(payload: Uint8Array, timestamp: number): DtmfDetected | undefined {
    const decoded = decodeEvent(payload)
    if (decoded === undefined) return undefined
    let pending: DtmfDetected | undefined = undefined
    if (timestamp !== this.timestamp) {
      if (!this.reported) pending = this.detected()
      this.timestamp = timestamp
      this.event = decoded.event
      this.duration = 0
      this.reported = false
    }
    if (decoded.duration > this.duration) this.duration = decoded.duration
    if (decoded.end && !this.reported) {
      this.reported = true
      return this.detected()
    }
    return pending
  }

  private detected(): DtmfDetected | undefined {
    const digit = eventDigit(this.event)
    return digit === undefined ? undefined : { digit, durationMs: Math.round((this.duration * 1000) / this.clockRate) }
  }
}

/** §2.5.1.2/§2.5.1.4: one event's packets, each at `atMs` after the event's start. */
export interface EventStep {
  readonly atMs: number
  readonly duration: number
  readonly end: boolean
  readonly marker: boolean
}

export const TONE_MS = 100
export const UPDATE_MS = 50
/** Silence between digits, so the peer hears distinct key presses. */
export const GAP_MS = 100

export const eventSchedule = (clockRate: number): ReadonlyArray<EventStep> => {
  const samples = (ms: number) => Math.round((ms * clockRate) / 1000)
  const steps: Array<EventStep> = [{ atMs: 0, duration: samples(20), end: false, marker: true }]
  for (let at = UPDATE_MS; at < TONE_MS; at += UPDATE_MS) steps.push({ atMs: at, duration: samples(at), end: false, marker: false })
  // §2.5.1.4: the final packet is sent three times, same duration and timestamp, new sequence numbers.
  for (let i = 0; i < 3; i++) steps.push({ atMs: TONE_MS, duration: samples(TONE_MS), end: true, marker: false })
  return steps
}
