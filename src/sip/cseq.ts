/** §20.16 CSeq = 1*DIGIT LWS Method; the number is below 2^31 (§8.1.1.5). */
import { digitsValue, isLws, isToken } from "./chars.ts"
import { getHeader } from "./headers.ts"
import type { SipMessage } from "./message.ts"
import { isParseError, type ParseError, parseError } from "./parse-error.ts"

export interface CSeq {
  readonly seq: number
  readonly method: string
}

// Scan results, kept in module state so the parser's check allocates nothing but the method string.
let seq = 0
let methodStart = 0
let methodEnd = 0

const scan = (value: string): boolean => {
  let i = 0
  const n = value.length
  while (i < n && isLws(value.charCodeAt(i))) i++
  const digitsStart = i
  while (i < n && value.charCodeAt(i) >= 48 && value.charCodeAt(i) <= 57) i++
  seq = digitsValue(value, digitsStart, i)
  if (seq < 0 || seq >= 2 ** 31) return false
  const wsStart = i
  while (i < n && isLws(value.charCodeAt(i))) i++
  let end = n
  while (end > i && isLws(value.charCodeAt(end - 1))) end--
  methodStart = i
  methodEnd = end
  return i > wsStart && isToken(value, i, end)
}

/** The method of a valid CSeq value, else undefined (the parser's §8.2 check). */
export const cseqMethodOf = (value: string): string | undefined =>
  scan(value) ? value.slice(methodStart, methodEnd) : undefined

export const parseCSeq = (value: string): CSeq | ParseError =>
  scan(value) ? { seq, method: value.slice(methodStart, methodEnd) } : parseError("Bad CSeq", "CSeq")

export const formatCSeq = (cseq: CSeq): string => `${cseq.seq} ${cseq.method}`

/** A message's CSeq, or undefined when it has none that parses. */
export const cseqOf = (message: SipMessage): CSeq | undefined => {
  const value = getHeader(message, "cseq")
  if (value === undefined) return undefined
  const parsed = parseCSeq(value)
  return isParseError(parsed) ? undefined : parsed
}
