/**
 * What a REGISTER asks (RFC 3261 §10.2, §10.3 steps 5–6): the AOR from To, the Call-ID and CSeq, the
 * Contacts with their q and expires (or the wildcard `*`), the Expires header, Path (RFC 3327) and
 * RFC 5626's +sip.instance / reg-id. Pure; a request that cannot be read gets a 400 reason.
 */
import { cseqOf, getHeader, getHeaders, isParseError, parseExpires, parseNameAddr, type SipRequest } from "../sip/index.ts"
import { aorOf } from "./binding.ts"

export interface ContactAsk {
  readonly uri: string
  readonly q: string | undefined
  /** The Contact's own expires parameter, when present. */
  readonly expires: number | undefined
  readonly instance: string | undefined
  readonly regId: number | undefined
}

export interface RegisterAsk {
  readonly aor: string
  readonly callId: string
  readonly cseq: number
  /** "*": remove every binding (§10.2.2); empty: a query (§10.2.3). */
  readonly contacts: ReadonlyArray<ContactAsk> | "*"
  readonly expires: number | undefined
  readonly path: ReadonlyArray<string>
  /** The UA named `path` in Supported, so the 200 may echo Path (RFC 3327 §5.3). */
  readonly supportsPath: boolean
}

/** A 400 with this reason. */
export interface BadRegister {
  readonly _tag: "BadRegister"
  readonly reason: string
}

const bad = (reason: string): BadRegister => ({ _tag: "BadRegister", reason })

const Q = /^(0(\.\d{0,3})?|1(\.0{0,3})?)$/

const contactOf = (value: string): ContactAsk | BadRegister => {
  const addr = parseNameAddr(value)
  if (isParseError(addr)) return bad("Malformed Contact")
  const { params } = addr
  const q = params["q"]
  if (q !== undefined && !Q.test(q)) return bad("Bad q-value")
  const expires = params["expires"] === undefined ? undefined : parseExpires(params["expires"])
  if (isParseError(expires)) return bad("Bad Contact expires")
  const regId = params["reg-id"] === undefined ? undefined : Number(params["reg-id"])
  if (regId !== undefined && !(Number.isInteger(regId) && regId > 0)) return bad("Bad reg-id")
  return { uri: addr.uri, q, expires, instance: params["+sip.instance"], regId }
}

export const readRegister = (request: SipRequest): RegisterAsk | BadRegister => {
  const to = parseNameAddr(getHeader(request, "to") ?? "")
  const aor = isParseError(to) ? undefined : aorOf(to.uri)
  // §10.3 step 3 would answer 404 for a domain we do not serve; every sip/sips AOR is ours here.
  if (aor === undefined) return bad("Bad To address-of-record")
  const callId = getHeader(request, "call-id")
  const cseq = cseqOf(request)
  if (callId === undefined || cseq === undefined) return bad("Missing Call-ID or CSeq")
  const expiresHeader = getHeader(request, "expires")
  const expires = expiresHeader === undefined ? undefined : parseExpires(expiresHeader)
  if (isParseError(expires)) return bad("Bad Expires")
  const values = getHeaders(request, "contact")
  const path = getHeaders(request, "path")
  const supportsPath = getHeaders(request, "supported").some((s) => s.trim().toLowerCase() === "path")
  const base = { aor, callId, cseq: cseq.seq, expires, path, supportsPath }
  // §10.3 step 6: "*" only alone and only with Expires: 0.
  if (values.some((v) => v.trim() === "*")) {
    if (values.length !== 1 || expires !== 0) return bad("Wildcard Contact needs Expires: 0 and no other Contact")
    return { ...base, contacts: "*" }
  }
  const contacts: Array<ContactAsk> = []
  for (const value of values) {
    const contact = contactOf(value)
    if ("_tag" in contact) return contact
    contacts.push(contact)
  }
  return { ...base, contacts }
}
