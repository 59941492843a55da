/** §20.16 CSeq = 1*DIGIT LWS Method; the number is below 2^31 (§8.1.1.5). */
import { digitsValue, isToken } from "./chars.ts"
import { type ParseError, parseError } from "./parse-error.ts"

export interface CSeq {
  readonly seq: number
  readonly method: string
}

export const parseCSeq = (value: string): CSeq | ParseError => {
  let i = 0
  const n = value.length
  while (i < n && (value.charCodeAt(i) === 32 || value.charCodeAt(i) === 9)) i++
  const digitsStart = i
  while (i < n && value.charCodeAt(i) >= 48 && value.charCodeAt(i) <= 57) i++
  const seq = digitsValue(value, digitsStart, i)
  if (seq < 0 || seq >= 2 ** 31) return parseError("Bad CSeq number", "CSeq")
  const wsStart = i
  while (i < n && (value.charCodeAt(i) === 32 || value.charCodeAt(i) === 9)) i++
  let end = n
  while (end > i && (value.charCodeAt(end - 1) === 32 || value.charCodeAt(end - 1) === 9)) end--
  if (i === wsStart || !isToken(value, i, end)) return parseError("Bad CSeq method", "CSeq")
  return { seq, method: value.slice(i, end) }
}

export const formatCSeq = (cseq: CSeq): string => `${cseq.seq} ${cseq.method}`
