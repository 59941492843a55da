/**
 * Transaction keys (RFC 3261 §17.1.3, §17.2.3): plain strings, so matching is one Map lookup per message.
 */
import { cseqOf, getHeader, isParseError, MAGIC_COOKIE, parseNameAddr, type Via } from "../sip/index.ts"
import type { SipRequest } from "../sip/message.ts"

/** §17.1.3: a response matches the client transaction whose request had the same top Via branch and
 *  the same CSeq method (a CANCEL shares its INVITE's branch, so the method tells them apart). */
// Keys outlive their message (a transaction lingers 32 s after its final response): a template literal
// makes a rope of slices still holding the whole message text; join copies into one flat string.
export const clientKey = (branch: string, method: string): string => [branch, method].join("|")

const sentBy = (via: Via): string => `${via.host.toLowerCase()}:${via.port ?? (via.transport.toUpperCase() === "TLS" ? 5061 : 5060)}`

/**
 * §17.2.3: the server transaction a request belongs to. With a magic-cookie branch: branch + sent-by +
 * method, where an ACK takes the INVITE's method (it matches the INVITE transaction it acknowledges)
 * and a CANCEL keeps its own. Without one (RFC 2543), the fallback fields of §17.2.3 — Request-URI,
 * From tag, Call-ID, CSeq number, top Via — stand in for the branch; the To tag is left out so that
 * the ACK (which carries the tag of our response) still meets its INVITE. `asMethod` looks up another
 * method's transaction with the same identity (a CANCEL's INVITE).
 */
export const serverKey = (request: SipRequest, via: Via, asMethod?: string): string => {
  const method = asMethod ?? (request.method === "ACK" ? "INVITE" : request.method)
  const branch = via.branch
  if (branch !== undefined && branch.startsWith(MAGIC_COOKIE)) return [branch, sentBy(via), method].join("|")
  const from = getHeader(request, "from")
  const fromAddr = from === undefined ? undefined : parseNameAddr(from)
  const fromTag = fromAddr === undefined || isParseError(fromAddr) ? "" : fromAddr.tag ?? ""
  const seq = cseqOf(request)?.seq
  return ["2543", request.uri, fromTag, getHeader(request, "call-id") ?? "", seq ?? "", sentBy(via), branch ?? "", method].join("|")
}
