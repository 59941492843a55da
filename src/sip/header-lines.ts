/**
 * The header block (§7.3): one `SipHeader` per value, in wire order. Lines are found with indexOf;
 * common names are recognised in place (no slice, no hash); LWS folding is undone (§7.3.1); list
 * headers are split at top-level commas; the headers §8.2 / §18.3 check are noted on the way.
 */
import { digitsValue, isToken, trimmed } from "./chars.ts"
import { headerKey, KNOWN_KEYS, KNOWN_NAMES, knownName, LIST_HEADERS } from "./header-names.ts"
import type { SipHeader } from "./message.ts"
import { type ParseError, parseError } from "./parse-error.ts"
import { splitList } from "./split-list.ts"

/** What the checks after the header block need. `seen` has one bit per `checkedBit`. */
export interface HeaderBlock {
  readonly headers: Array<SipHeader>
  readonly seen: number
  /** The CSeq value ("" when absent). */
  readonly cseq: string
  /** -1 when absent. */
  readonly contentLength: number
  /** Offset of the body in `text` (= in the bytes on the fast path), or the caller's when the text ends first. */
  readonly bodyStart: number
}

/** Via 1, From 2, To 4, Call-ID 8, CSeq 16 (the mandatory ones, §8.1.1), Content-Length 32. */
export const checkedBit = (key: string): number => {
  switch (key) {
    case "via":
      return 1
    case "from":
      return 2
    case "to":
      return 4
    case "call-id":
      return 8
    case "cseq":
      return 16
    case "content-length":
      return 32
  }
  return 0
}

const KNOWN_BITS: ReadonlyArray<number> = KNOWN_KEYS.map(checkedBit)
const KNOWN_LIST: ReadonlyArray<boolean> = KNOWN_KEYS.map((key) => LIST_HEADERS.has(key))

/**
 * Reads header lines of text[pos, len) starting at 1-based line `line`, up to the blank line (which
 * sets `bodyStart`) or the end of the text (then `bodyStart` stays the given one; -1 is an error).
 */
export const readHeaders = (
  text: string,
  pos: number,
  len: number,
  line: number,
  bodyStart: number
): HeaderBlock | ParseError => {
  const headers: Array<SipHeader> = []
  let seen = 0
  let cseqValue = ""
  let contentLength = -1
  while (true) {
    if (pos >= len) {
      if (bodyStart < 0) return parseError("Missing empty line after the headers", "message")
      break
    }
    const first = text.charCodeAt(pos)
    if (first === 10 || (first === 13 && text.charCodeAt(pos + 1) === 10)) {
      // The blank line ending the head (fast path only: on the slow path the text stops before it).
      bodyStart = first === 10 ? pos + 1 : pos + 2
      break
    }
    const lineNo = line++
    // The colon is a few characters in: a plain loop beats a native call; it stops at the line end.
    let colon = pos
    for (let c = first; c !== 58 /* : */ && c !== 10 && colon < len; c = text.charCodeAt(++colon));
    if (colon >= len || text.charCodeAt(colon) !== 58) {
      return parseError(`Header line ${lineNo} has no colon`, "message-header", lineNo)
    }
    let end = text.indexOf("\n", colon)
    if (end < 0 || end > len) end = len
    let stop = text.charCodeAt(end - 1) === 13 ? end - 1 : end
    let nameEnd = colon
    while (nameEnd > pos && (text.charCodeAt(nameEnd - 1) === 32 || text.charCodeAt(nameEnd - 1) === 9)) nameEnd--
    // Common spellings are recognised in place; others are sliced, checked against §25.1 token, keyed.
    const known = knownName(text, pos, nameEnd)
    let headerName: string
    let key: string
    let bit: number
    let list: boolean
    if (known >= 0) {
      headerName = KNOWN_NAMES[known]
      key = KNOWN_KEYS[known]
      bit = KNOWN_BITS[known]
      list = KNOWN_LIST[known]
    } else {
      if (!isToken(text, pos, nameEnd)) return parseError(`Bad header name on line ${lineNo}`, "header-name", lineNo)
      headerName = text.slice(pos, nameEnd)
      key = headerKey(headerName)
      bit = checkedBit(key)
      list = LIST_HEADERS.has(key)
    }
    let value = trimmed(text, colon + 1, stop)
    // §7.3.1: a line starting with SP/HTAB continues the previous header (LWS folding).
    let next = end + 1
    while (next < len && (text.charCodeAt(next) === 32 || text.charCodeAt(next) === 9)) {
      end = text.indexOf("\n", next)
      if (end < 0 || end > len) end = len
      stop = end > next && text.charCodeAt(end - 1) === 13 ? end - 1 : end
      line++
      const part = trimmed(text, next, stop)
      if (part.length > 0) value = value.length > 0 ? value + " " + part : part
      next = end + 1
    }
    pos = next
    if (bit !== 0) {
      if (value.length === 0) return parseError(`Empty ${headerName} header`, key, lineNo)
      if ((seen & bit) !== 0 && bit !== 1) return parseError(`Duplicate ${headerName} header`, key, lineNo)
      seen |= bit
      if (bit === 16) cseqValue = value
      else if (bit === 32) {
        contentLength = digitsValue(value)
        if (contentLength < 0) return parseError("Bad Content-Length", "Content-Length", lineNo)
      }
    }
    if (list && value.indexOf(",") >= 0) {
      const items = splitList(value)
      for (let k = 0; k < items.length; k++) headers.push({ name: headerName, key, value: items[k] })
    } else {
      headers.push({ name: headerName, key, value })
    }
  }

  return { headers, seen, cseq: cseqValue, contentLength, bodyStart }
}
