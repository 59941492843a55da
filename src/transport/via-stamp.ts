/**
 * §18.2.1 and RFC 3581 §4: the server transport stamps the top Via of every request it receives with
 * where the request really came from, so the response finds its way back through NATs.
 *
 * The edit is textual on the raw header value: the rest of the Via stays byte-for-byte as the peer wrote it.
 */
import { isParseError, parseVia } from "../sip/index.ts"
import type { SipHeader, SipRequest } from "../sip/message.ts"
import { bareHost } from "../net/destination.ts"
import type { Endpoint } from "./transport.ts"

const RPORT_FLAG = /;\s*rport\s*(?=;|$)/i
const RECEIVED_PARAM = /;\s*received\s*=\s*[^;]*/i

/**
 * Adds `received=<source ip>` when the sent-by host differs from the source address (§18.2.1), and,
 * when the Via carries an empty `rport`, fills it with the source port and adds `received` even if the
 * host matches (RFC 3581 §4). Returns the request unchanged when nothing needs stamping or the top Via
 * does not parse (the transaction layer rejects such a request itself).
 */
export const stampVia = (request: SipRequest, source: Endpoint): SipRequest => {
  const headers = request.headers
  let index = -1
  for (let i = 0; i < headers.length; i++) {
    if (headers[i].key === "via") {
      index = i
      break
    }
  }
  if (index < 0) return request
  const header = headers[index]
  const via = parseVia(header.value)
  if (isParseError(via)) return request
  const wantsRport = via.rport === null
  const needsReceived = wantsRport || bareHost(via.host) !== source.host
  if (!needsReceived) return request
  let value = header.value
  if (wantsRport) value = value.replace(RPORT_FLAG, `;rport=${source.port}`)
  value = via.received !== undefined
    ? value.replace(RECEIVED_PARAM, `;received=${source.host}`)
    : `${value};received=${source.host}`
  const stamped: SipHeader = { name: header.name, key: header.key, value }
  const next = headers.slice()
  next[index] = stamped
  return { ...request, headers: next }
}
