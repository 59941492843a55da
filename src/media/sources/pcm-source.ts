/**
 * What a generated media source is to the sender: something that fills one frame of 8 kHz 16-bit PCM
 * at a time. The session encodes the frame with the negotiated codec.
 */
export interface PcmSource {
  /** Fill `frame` with the next samples; false once a non-looping source has run out (frame is then padded with silence). */
  readonly fill: (frame: Int16Array) => boolean
}
