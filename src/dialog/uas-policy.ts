/**
 * What a UAS answers before the application sees a request (RFC 3261 §8.2): 400 for a malformed
 * request (§8.2, §21.4.1), 501 for an unknown method and 405 for one we do not allow (§8.2.1), 481 for
 * a dialog-only request outside a dialog (§12.2.2), 416 for a Request-URI scheme we do not serve
 * (§8.2.2.1), 420 for an unknown Require (§8.2.2.3), 415 / 406 for bodies we cannot read or write
 * (§8.2.3, §21.4.7), and 503 while draining (§21.5.4). §8.2.2.2 (merged requests, 482) needs state and
 * lives in uas-invite.ts.
 *
 * A pure function of the parsed request: one pass over its header array, no allocation unless it refuses.
 */
import type { NameAddr, ParseError, SipRequest } from "../sip/index.ts"
import { isParseError } from "../sip/index.ts"
import {
  acceptHeader,
  allowHeader,
  type Claims,
  dialogOnlyMethods,
  inDialogMethods,
  knownMethods,
  outOfDialogMethods,
  noClaims,
  supportedExtensions
} from "./capabilities.ts"

type Headers = ReadonlyArray<readonly [string, string]>

/** The answer the layer gives on its own; `reason` overrides the default phrase. */
export interface Refusal {
  readonly status: number
  readonly reason?: string
  readonly headers?: Headers
}

const bad = (reason: string): Refusal => ({ status: 400, reason })
const malformedFrom = bad("Malformed From header")
const malformedTo = bad("Malformed To header")
const multiple: Readonly<Record<string, Refusal>> = {
  from: bad("Multiple From headers"),
  to: bad("Multiple To headers"),
  "call-id": bad("Multiple Call-ID headers"),
  cseq: bad("Multiple CSeq headers")
}
const missingType = bad("Missing Content-Type")
const malformedUri = bad("Malformed Request-URI")
const notImplemented: Refusal = { status: 501 }
const noDialog: Refusal = { status: 481 }
const notAllowed: Refusal = { status: 405, headers: allowHeader }
const badScheme: Refusal = { status: 416 }
const badMedia: Refusal = { status: 415, headers: acceptHeader }
const notAcceptable: Refusal = { status: 406, headers: acceptHeader }
const drainingInvite: Refusal = { status: 503, headers: [["Retry-After", "30"]] }
const drainingOther: Refusal = { status: 503 }

const SDP = /^\s*application\/sdp\s*(;|$)/i
const MULTIPART = /^\s*multipart\//i
/** An Accept entry that lets us answer with SDP (§20.1: type/subtype, type/*, or * / *). */
const ACCEPTS_SDP = /^\s*(application\/(sdp|\*)|\*\/\*)\s*(;|$)/i

const isChar = (uri: string, i: number, lower: number): boolean => (uri.charCodeAt(i) | 32) === lower

/** The scheme of the Request-URI when it is one we serve (§8.2.2.1: sip, sips, tel). */
const schemeServed = (uri: string): "sip" | "tel" | undefined => {
  const colon = uri.indexOf(":")
  if (colon !== 3 && colon !== 4) return undefined
  if (isChar(uri, 0, 115) && isChar(uri, 1, 105) && isChar(uri, 2, 112) && (colon === 3 || isChar(uri, 3, 115))) {
    return "sip"
  }
  return colon === 3 && isChar(uri, 0, 116) && isChar(uri, 1, 101) && isChar(uri, 2, 108) ? "tel" : undefined
}

/** A multipart body (RFC 5621) we can read: one of its parts is SDP. */
const hasSdpPart = (body: Uint8Array): boolean =>
  /content-type:\s*application\/sdp/i.test(Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString("latin1"))

/** Require / Proxy-Require values (the parser splits lists) naming extensions we lack. */
const unsupportedOf = (request: SipRequest): Array<string> => {
  const out: Array<string> = []
  for (const h of request.headers) {
    if (h.key !== "require" && h.key !== "proxy-require") continue
    const ext = h.value.trim()
    if (ext.length > 0 && !supportedExtensions.includes(ext) && !out.includes(ext)) out.push(ext)
  }
  return out
}

/**
 * The refusal for `request`, or undefined when it goes on (to the dialog or the application). `from` and
 * `to` as the caller parsed them (it needs their tags too); a To-tag means the request names a dialog.
 * `draining`: new calls are refused (shutdown). `claims`: methods a usage above answers outside a dialog.
 * Positional: no object per request.
 */
export const uasPolicy = (
  request: SipRequest,
  from: NameAddr | ParseError,
  to: NameAddr | ParseError,
  draining: boolean,
  claims: Claims = noClaims
): Refusal | undefined => {
  if (isParseError(from)) return malformedFrom
  if (isParseError(to)) return malformedTo
  const inDialog = to.tag !== undefined
  const { method } = request
  if (!knownMethods.has(method)) return notImplemented
  if (!inDialog && dialogOnlyMethods.has(method)) return noDialog
  if (inDialog ? !inDialogMethods.has(method) : !outOfDialogMethods.has(method) && !claims.methods.has(method)) {
    return claims === noClaims ? notAllowed : { status: 405, headers: claims.allow }
  }
  const scheme = schemeServed(request.uri)
  if (scheme === undefined) return badScheme
  if (scheme === "sip" && request.uri.length <= request.uri.indexOf(":") + 1) return malformedUri
  // One pass: single-valued headers counted, Require noted, Accept and Content-Type read (INVITE only).
  let froms = 0, tos = 0, callIds = 0, cseqs = 0
  let requires = false, accept = 0, acceptsSdp = false
  let contentType: string | undefined
  for (const h of request.headers) {
    switch (h.key) {
      case "from": froms++; break
      case "to": tos++; break
      case "call-id": callIds++; break
      case "cseq": cseqs++; break
      case "require":
      case "proxy-require": requires = true; break
      case "accept":
        accept++
        if (!acceptsSdp && ACCEPTS_SDP.test(h.value)) acceptsSdp = true
        break
      case "content-type": contentType = h.value; break
    }
  }
  if (froms > 1) return multiple["from"]
  if (tos > 1) return multiple["to"]
  if (callIds > 1) return multiple["call-id"]
  if (cseqs > 1) return multiple["cseq"]
  if (request.body.length > 0 && contentType === undefined) return missingType
  if (requires) {
    const unsupported = unsupportedOf(request)
    if (unsupported.length > 0) return { status: 420, headers: [["Unsupported", unsupported.join(", ")]] }
  }
  if (method === "INVITE") {
    // §8.2.3: a body we cannot read; §21.4.7: an answer (SDP) the caller would not accept.
    if (contentType !== undefined && request.body.length > 0 && !SDP.test(contentType)) {
      if (!MULTIPART.test(contentType) || !hasSdpPart(request.body)) return badMedia
    }
    if (accept > 0 && !acceptsSdp) return notAcceptable
  }
  if (draining && !inDialog) {
    if (method === "INVITE") return drainingInvite
    if (method === "OPTIONS") return drainingOther
  }
  return undefined
}
