/**
 * A short view of an offer for the application's routing decision (IncomingCall.offer), and the body
 * helpers the session layer uses to move SDP in and out of SIP messages.
 */
import { formatOf } from "./codecs.ts"
import { parseDescription, type RemoteDescription } from "./description.ts"
import { isSdpError } from "./sdp-error.ts"

export interface SdpSummary {
  /** rtpmap names of the first audio stream (or the first stream when there is no audio), in offered order. */
  readonly codecs: ReadonlyArray<string>
  readonly address: string
  readonly port: number
  readonly direction: string
}

/** undefined when the text is not usable SDP (the caller answers 400): valid SDP without audio still summarises. */
export const summarize = (sdp: string): SdpSummary | undefined => {
  const description = parseDescription(sdp)
  return isSdpError(description) ? undefined : summarizeDescription(description)
}

/** The summary of an offer already parsed (the session parses an INVITE's offer once, for this and the answer). */
export const summarizeDescription = (description: RemoteDescription): SdpSummary => {
  const media = description.media.find((m) => m.type === "audio") ?? description.media[0]
  return {
    codecs: media.payloadTypes.flatMap((pt) => {
      const spec = formatOf(media.raw, pt)
      return spec === undefined ? [] : [spec.name]
    }),
    address: media.address ?? "0.0.0.0",
    port: media.port,
    direction: media.direction
  }
}

const decoder = new TextDecoder("utf-8")
const encoder = new TextEncoder()

/** RFC 4566 §5: SDP text is UTF-8 (ASCII in practice); a bad byte becomes U+FFFD, never an exception. */
export const bodyText = (bytes: Uint8Array): string => decoder.decode(bytes)

export const sdpBytes = (sdp: string): Uint8Array => encoder.encode(sdp)
