/**
 * The follow-up of a challenged (or 423'd) request, RFC 3261 §8.1.3.5 and §22.2: "the same Call-ID,
 * To, From … but with a CSeq one higher" and a new transaction, so a fresh Via branch (§8.1.1.7).
 */
import { getHeader, isParseError, newBranch, type ParseError, parseCSeq, parseError, setHeader } from "../sip/index.ts"
import type { SipHeader, SipRequest } from "../sip/message.ts"

/** The top Via with its branch replaced (or added). Only the first Via is ours: a UAC request has one. */
const withNewBranch = (request: SipRequest): SipRequest => {
  const index = request.headers.findIndex((h) => h.key === "via")
  if (index < 0) return request
  const via = request.headers[index]!
  const branch = `branch=${newBranch()}`
  const value = /;\s*branch\s*=\s*[^;\s,]*/i.test(via.value)
    ? via.value.replace(/branch\s*=\s*[^;\s,]*/i, branch)
    : `${via.value};${branch}`
  const headers: Array<SipHeader> = request.headers.slice()
  headers[index] = { ...via, value }
  return { ...request, headers }
}

export const nextAttempt = (request: SipRequest): SipRequest | ParseError => {
  const value = getHeader(request, "cseq")
  if (value === undefined) return parseError("Request without CSeq", "CSeq")
  const cseq = parseCSeq(value)
  if (isParseError(cseq)) return cseq
  return withNewBranch(setHeader(request, "CSeq", `${cseq.seq + 1} ${cseq.method}`))
}
