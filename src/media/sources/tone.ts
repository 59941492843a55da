/** A continuous sine tone, phase-continuous across frames (no click at frame edges). */
import type { PcmSource } from "./pcm-source.ts"

/** About −10 dBm0: loud enough to hear, far from clipping G.711. */
const AMPLITUDE = 8000

export const makeTone = (frequency: number, sampleRate = 8000, amplitude = AMPLITUDE): PcmSource => {
  const step = (2 * Math.PI * frequency) / sampleRate
  let phase = 0
  return {
    fill: (frame) => {
      for (let i = 0; i < frame.length; i++) {
        frame[i] = Math.round(amplitude * Math.sin(phase))
        phase += step
      }
      phase %= 2 * Math.PI
      return true
    }
  }
}
