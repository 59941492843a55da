/**
 * A remote session description, parsed by sdp-transform and then checked: sdp-transform never rejects
 * anything (garbage parses to `{ media: [] }`, a malformed m= line to an object without a port), so every
 * field we rely on is validated here and a failure is an SdpError value, never a throw.
 */
import type { MediaDescription, SessionDescription } from "sdp-transform"
import { parse } from "sdp-transform"
import type { Direction } from "./negotiated.ts"
import type { SdpError } from "./sdp-error.ts"
import { sdpError } from "./sdp-error.ts"

export interface RemoteMedia {
  /** Position among the m= lines: an answer keeps the offer's order (RFC 3264 §6). */
  readonly index: number
  readonly type: string
  readonly port: number
  readonly protocol: string
  /** The format list exactly as written, echoed when we reject the stream. */
  readonly payloads: string
  /** Numeric formats (RTP payload types), in the peer's order of preference. */
  readonly payloadTypes: ReadonlyArray<number>
  /** Media-level c= else session-level c= (RFC 4566 §5.7); undefined only on a disabled (port 0) stream. */
  readonly address: string | undefined
  /** a=sendrecv/… at media level, else session level, else sendrecv (RFC 3264 §5.1). */
  readonly direction: Direction
  readonly ptime: number | undefined
  readonly rtcpMux: boolean
  /** a=rtcp (RFC 3605). */
  readonly rtcpPort: number | undefined
  readonly raw: MediaDescription
}

export interface RemoteDescription {
  readonly sessionId: string
  readonly version: string
  readonly media: ReadonlyArray<RemoteMedia>
}

const isPort = (value: unknown): value is number =>
  typeof value === "number" && Number.isInteger(value) && value >= 0 && value <= 65535

const directionOf = (value: unknown): Direction | undefined =>
  value === "sendrecv" || value === "sendonly" || value === "recvonly" || value === "inactive" ? value : undefined

const addressOf = (connection: SessionDescription["connection"]): string | undefined =>
  connection !== undefined && typeof connection.ip === "string" && connection.ip.length > 0
    // c=IN IP4 224.2.1.1/127 carries a TTL after the address (RFC 4566 §5.7).
    ? connection.ip.split("/")[0]
    : undefined

const mediaOf = (
  session: SessionDescription,
  media: MediaDescription,
  index: number
): RemoteMedia | SdpError => {
  if (typeof media.type !== "string" || media.type.length === 0 || !isPort(media.port) || typeof media.protocol !== "string") {
    return sdpError("Unparseable", `m= line ${index + 1} is malformed`)
  }
  const payloads = typeof media.payloads === "string" ? media.payloads : String(media.payloads ?? "")
  const address = addressOf(media.connection) ?? addressOf(session.connection)
  if (address === undefined && media.port !== 0) {
    return sdpError("MissingConnection", `m=${media.type} line ${index + 1} has no c= line, nor does the session`)
  }
  const payloadTypes = payloads.split(/\s+/).filter((f) => /^\d{1,3}$/.test(f)).map(Number).filter((pt) => pt <= 127)
  const rtcpPort = media.rtcp?.port
  const ptime = typeof media.ptime === "number" && media.ptime > 0 && media.ptime <= 1000 ? media.ptime : undefined
  return {
    index,
    type: media.type,
    port: media.port,
    protocol: media.protocol,
    payloads,
    payloadTypes,
    address,
    direction: directionOf(media.direction) ?? directionOf(session.direction) ?? "sendrecv",
    ptime,
    rtcpMux: media.rtcpMux === "rtcp-mux",
    rtcpPort: isPort(rtcpPort) && rtcpPort > 0 ? rtcpPort : undefined,
    raw: media
  }
}

/** The sdp-transform tree, or undefined when it threw (it does on non-string input). */
export const parseTree = (text: string): SessionDescription | undefined => {
  try {
    return parse(text)
  } catch {
    return undefined
  }
}

/** Parse and check a remote description: v=, o=, at least one well-formed m=, a c= for every active m=. */
export const parseDescription = (text: string): RemoteDescription | SdpError => {
  if (typeof text !== "string" || !/^\s*v=0\s*$/m.test(text)) return sdpError("Unparseable", "not SDP: no v=0 line")
  const tree = parseTree(text)
  if (tree === undefined) return sdpError("Unparseable", "sdp-transform could not parse the body")
  const origin = tree.origin
  if (origin === undefined || origin.sessionId === undefined || origin.sessionVersion === undefined) {
    return sdpError("Unparseable", "no valid o= line (RFC 4566 §5.2)")
  }
  if (!Array.isArray(tree.media) || tree.media.length === 0) return sdpError("MissingMedia", "no m= line")
  const media: Array<RemoteMedia> = []
  for (let index = 0; index < tree.media.length; index++) {
    const parsed = mediaOf(tree, tree.media[index], index)
    if ("_tag" in parsed) return parsed
    media.push(parsed)
  }
  return { sessionId: String(origin.sessionId), version: String(origin.sessionVersion), media }
}

/** The legacy hold address of RFC 2543 (RFC 3264 §8.4): the peer wants nothing sent to it. */
export const isNullAddress = (address: string | undefined): boolean =>
  address === "0.0.0.0" || address === "::"
