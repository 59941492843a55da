/**
 * Requests the transaction layer builds itself from an INVITE: the ACK for a non-2xx final response
 * (§17.1.1.3) and the CANCEL (§9.1); and the top Via a request must carry to start a transaction (§8.1.1.7).
 */
import { cseqOf, getHeader, getHeaders, isParseError, MAGIC_COOKIE, makeRequest, newBranch, parseVia } from "../sip/index.ts"
import type { SipHeader, SipRequest, SipResponse } from "../sip/message.ts"
import type { Endpoint } from "../transport/transport.ts"

const topViaValue = (request: SipRequest): string | undefined => getHeader(request, "via")

/** Headers shared by ACK and CANCEL: the INVITE's top Via only, Call-ID, From, the CSeq number with the
 *  new method, Max-Forwards, and the INVITE's Route set. */
const derived = (
  invite: SipRequest,
  method: "ACK" | "CANCEL",
  to: string | undefined
): SipRequest => {
  const headers: Array<readonly [string, string]> = []
  const via = topViaValue(invite)
  if (via !== undefined) headers.push(["Via", via])
  headers.push(["Max-Forwards", "70"])
  const from = getHeader(invite, "from")
  if (from !== undefined) headers.push(["From", from])
  if (to !== undefined) headers.push(["To", to])
  const callId = getHeader(invite, "call-id")
  if (callId !== undefined) headers.push(["Call-ID", callId])
  headers.push(["CSeq", `${cseqOf(invite)?.seq ?? 1} ${method}`])
  for (const route of getHeaders(invite, "route")) headers.push(["Route", route])
  return makeRequest({ method, uri: invite.uri, headers })
}

/** §17.1.1.3: same Request-URI, Call-ID, From as the INVITE, the To of the response (it carries the
 *  UAS's tag), CSeq number with method ACK, the INVITE's top Via only, its Route headers. */
export const ackFor = (invite: SipRequest, response: SipResponse): SipRequest =>
  derived(invite, "ACK", getHeader(response, "to") ?? getHeader(invite, "to"))

/** §9.1: same Request-URI, Call-ID, From, To (without a tag) and CSeq number as the INVITE, method
 *  CANCEL, the INVITE's top Via (same branch: it matches the INVITE's server transaction), Route copied. */
export const cancelFor = (invite: SipRequest): SipRequest => derived(invite, "CANCEL", getHeader(invite, "to"))

/** The request's top Via branch, when it is an RFC 3261 one. */
export const branchOf = (request: SipRequest): string | undefined => {
  const value = topViaValue(request)
  if (value === undefined) return undefined
  const via = parseVia(value)
  return isParseError(via) || via.branch === undefined || !via.branch.startsWith(MAGIC_COOKIE) ? undefined : via.branch
}

const viaName = (transport: Endpoint["transport"]): string => transport.toUpperCase()

/**
 * A request ready for a client transaction and its branch. §8.1.1.7: with no Via, one is added for the
 * local endpoint of the destination's transport (with `rport`, RFC 3581); a top Via without an RFC 3261
 * branch gets a fresh one. Otherwise the request is unchanged.
 */
export const withBranch = (
  request: SipRequest,
  destination: Endpoint,
  local: ReadonlyArray<Endpoint>
): { readonly request: SipRequest; readonly branch: string } => {
  const existing = branchOf(request)
  if (existing !== undefined) return { request, branch: existing }
  const branch = newBranch()
  const index = request.headers.findIndex((h) => h.key === "via")
  const headers: Array<SipHeader> = request.headers.slice()
  if (index >= 0) {
    const old = headers[index]
    const value = old.value.replace(/;\s*branch\s*=\s*[^;]*/i, "")
    headers[index] = { name: old.name, key: old.key, value: `${value};branch=${branch}` }
  } else {
    const me = local.find((e) => e.transport === destination.transport) ?? local[0]
    const host = me === undefined ? "127.0.0.1" : me.host.includes(":") ? `[${me.host}]` : me.host
    const sentBy = me === undefined ? host : `${host}:${me.port}`
    headers.unshift({ name: "Via", key: "via", value: `SIP/2.0/${viaName(destination.transport)} ${sentBy};branch=${branch};rport` })
  }
  return { request: { ...request, headers }, branch }
}
