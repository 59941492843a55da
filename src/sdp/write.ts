/**
 * Writing the descriptions we produce (offers and answers): v=, o=, s=, c=, t= and per m= line its
 * rtpmap, fmtp, ptime, direction and rtcp-mux attributes. Byte for byte what sdp-transform's `write` gives
 * for these fields (same line order, RFC 4566 §5), without its per-line format strings and regular
 * expressions: every answered call writes one, and sdp-transform's writer was the costliest step of it.
 * A description with any other field goes to sdp-transform.
 */
import type { MediaDescription, SessionDescription } from "sdp-transform"
import { write } from "sdp-transform"

const sessionFields = new Set(["version", "origin", "name", "connection", "timing", "media"])
const mediaFields = new Set(["type", "port", "protocol", "payloads", "rtp", "fmtp", "ptime", "direction", "rtcpMux"])

const onlyKnown = (object: object, known: ReadonlySet<string>): boolean => {
  for (const key in object) {
    if (!known.has(key) && (object as Record<string, unknown>)[key] !== undefined) return false
  }
  return true
}

const mediaLines = (m: MediaDescription): string => {
  let out = `m=${m.type} ${m.port} ${m.protocol} ${m.payloads ?? ""}\r\n`
  for (const r of m.rtp) {
    out += `a=rtpmap:${r.payload} ${r.codec}${r.encoding ? `/${r.rate}/${r.encoding}` : r.rate ? `/${r.rate}` : ""}\r\n`
  }
  for (const f of m.fmtp) out += `a=fmtp:${f.payload} ${f.config}\r\n`
  if (m.ptime !== undefined) out += `a=ptime:${m.ptime}\r\n`
  if (m.direction !== undefined) out += `a=${m.direction}\r\n`
  if (m.rtcpMux !== undefined) out += `a=${m.rtcpMux}\r\n`
  return out
}

export const writeDescription = (session: SessionDescription): string => {
  const { origin, connection, timing } = session
  if (
    !onlyKnown(session, sessionFields) || origin === undefined || connection === undefined || timing === undefined ||
    !session.media.every((m) => onlyKnown(m, mediaFields))
  ) {
    return write(session)
  }
  let out = `v=${session.version ?? 0}\r\n` +
    `o=${origin.username} ${origin.sessionId} ${origin.sessionVersion} ${origin.netType} IP${origin.ipVer} ${origin.address}\r\n` +
    `s=${session.name ?? " "}\r\n` +
    `c=IN IP${connection.version} ${connection.ip}\r\n` +
    `t=${timing.start} ${timing.stop}\r\n`
  for (const m of session.media) out += mediaLines(m)
  return out
}
