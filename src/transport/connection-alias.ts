/**
 * RFC 5923 connection reuse: a request whose top Via carries `alias` asks us to send our own requests for
 * its sent-by address (e.g. a BYE to its Contact) down the connection it came on, instead of opening one
 * towards it. A client behind NAT, or a TLS client with no certificate (it cannot accept connections), is
 * reachable no other way.
 */
import { bareHost, DEFAULT_SIP_PORT, DEFAULT_SIPS_PORT } from "../net/destination.ts"
import { isParseError, parseVia } from "../sip/index.ts"
import type { SipMessage } from "../sip/message.ts"

const ALIAS = /;\s*alias\s*(?:;|$)/i

/** The "host:port" a request asks to alias to its connection, or undefined (most requests: one regex test). */
export const aliasOf = (message: SipMessage): string | undefined => {
  if (message._tag !== "SipRequest") return undefined
  const top = message.headers.find((h) => h.key === "via")
  if (top === undefined || !ALIAS.test(top.value)) return undefined
  const via = parseVia(top.value)
  if (isParseError(via)) return undefined
  const port = via.port ?? (via.transport.toUpperCase() === "TLS" ? DEFAULT_SIPS_PORT : DEFAULT_SIP_PORT)
  return `${bareHost(via.host)}:${port}`
}
