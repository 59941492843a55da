/**
 * The receive rules shared by UDP and TCP, as a pure function of the bytes: what one datagram or one
 * stream frame becomes. The socket loops act on the verdict (offer up, answer, count, ignore).
 */
import { isParseError, parseMessage } from "../sip/index.ts"
import { isRequest } from "../sip/message.ts"
import { badRequestFor, isKeepAlive, reasonFor } from "./bad-request.ts"
import type { Endpoint, Inbound } from "./transport.ts"
import { stampVia } from "./via-stamp.ts"

export type Received =
  | { readonly _tag: "Message"; readonly inbound: Inbound }
  /** Failed to parse: never goes up. `answer` is a 4xx to write back to the peer, when one can be built. */
  | {
    readonly _tag: "Malformed"
    readonly problem: string
    readonly answer: Uint8Array | undefined
    /** Over `maxMessageSize`: on a stream the connection is then closed. */
    readonly tooLarge: boolean
  }
  /** RFC 5626 CRLF keep-alive: ignored silently. */
  | { readonly _tag: "KeepAlive" }

const keepAlive: Received = { _tag: "KeepAlive" }

/**
 * One unit of input: a UDP datagram (§18.3: one message per datagram, Content-Length optional) or one
 * framed TCP message (`stream: true`: Content-Length mandatory). Requests get their top Via stamped
 * with `received`/`rport` (§18.2.1, RFC 3581).
 */
export const receive = (
  bytes: Uint8Array,
  source: Endpoint,
  local: Endpoint,
  stream: boolean,
  maxMessageSize: number
): Received => {
  if (isKeepAlive(bytes)) return keepAlive
  if (bytes.length > maxMessageSize) {
    // §21.5.14 513 Message Too Large, where the headers let us answer at all.
    const problem = "Message Too Large"
    return { _tag: "Malformed", problem, answer: badRequestFor(bytes, problem, 513), tooLarge: true }
  }
  const parsed = parseMessage(bytes, stream ? { stream: true } : undefined)
  if (isParseError(parsed)) {
    const problem = reasonFor(parsed.message)
    // §21.5.7: 505 for a SIP version we do not speak; 400 for anything else.
    const status = parsed.rule === "SIP-Version" ? 505 : 400
    return { _tag: "Malformed", problem, answer: badRequestFor(bytes, problem, status), tooLarge: false }
  }
  const message = isRequest(parsed) ? stampVia(parsed, source) : parsed
  return { _tag: "Message", inbound: { message, source, local } }
}
