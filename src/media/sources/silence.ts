/** Digital silence: keeps RTP flowing (NAT bindings, the peer's jitter buffer) with nothing to hear. */
import type { PcmSource } from "./pcm-source.ts"

export const silence: PcmSource = {
  fill: (frame) => {
    frame.fill(0)
    return true
  }
}
