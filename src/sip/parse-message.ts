/**
 * The message parser (§7, §18.3, §25): bytes in, a `SipMessage` or a `ParseError` out, never a throw.
 *
 * Hot path (ARCHITECTURE.md): the header block is decoded once, lines are found with indexOf, header
 * values stay raw strings. Only the checks §8.2 / §18.3 need before a message can go up are made here:
 * start line, header-line syntax, mandatory headers, CSeq method, Content-Length.
 */
import { digitsValue, isToken } from "./chars.ts"
import { parseCSeq } from "./cseq.ts"
import { headerKey, KNOWN_KEYS, KNOWN_NAMES, knownName, LIST_HEADERS } from "./header-names.ts"
import { emptyBody, type SipHeader, type SipMessage } from "./message.ts"
import { type ParseError, isParseError, parseError } from "./parse-error.ts"
import { splitList } from "./split-list.ts"
import { parseStartLine } from "./start-line.ts"

export interface ParseOptions {
  /** Bytes framed from a stream (TCP/TLS): Content-Length is then mandatory (§18.3). */
  readonly stream?: boolean
}

/**
 * Parses one message. UDP (default): the body is the rest of the datagram, cut to Content-Length
 * when that is shorter; a longer Content-Length is an error (§18.3). Stream: Content-Length required.
 */
export const parseMessage = (bytes: Uint8Array, options?: ParseOptions): SipMessage | ParseError => {
  try {
    return parse(bytes, options !== undefined && options.stream === true)
  } catch (cause) {
    // Defensive only: the parser is written not to throw; a bug must still not crash a receive loop.
    return parseError(`Unparseable message: ${String(cause).slice(0, 60)}`, "message")
  }
}

// Buffer's own utf8Slice works on any Uint8Array and skips toString's argument handling: the one
// decode per message is a measurable share of the hot path. TextDecoder if a runtime lacks it.
const utf8Slice = (Buffer.prototype as unknown as { utf8Slice?: (this: Uint8Array, start: number, end: number) => string })
  .utf8Slice
const decoder = new TextDecoder()
const decode = (bytes: Uint8Array, start: number, end: number): string =>
  utf8Slice !== undefined ? utf8Slice.call(bytes, start, end) : decoder.decode(bytes.subarray(start, end))

/** s[from, to) without leading and trailing SP/HTAB, in one slice. */
const trimmed = (s: string, from: number, to: number): string => {
  while (from < to && (s.charCodeAt(from) === 32 || s.charCodeAt(from) === 9)) from++
  while (to > from && (s.charCodeAt(to - 1) === 32 || s.charCodeAt(to - 1) === 9)) to--
  return s.slice(from, to)
}

/** The `seen` bit of the headers checked below: Via 1, From 2, To 4, Call-ID 8, CSeq 16, Content-Length 32. */
const checkedBit = (key: string): number => {
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

/** Messages up to this size are decoded whole on the fast path (a UDP datagram nearly always is). */
const FAST_PATH_MAX = 8192

const KNOWN_BITS: ReadonlyArray<number> = KNOWN_KEYS.map(checkedBit)
const KNOWN_LIST: ReadonlyArray<boolean> = KNOWN_KEYS.map((key) => LIST_HEADERS.has(key))

const REQUIRED: ReadonlyArray<readonly [string, string]> = [
  ["via", "Via"],
  ["from", "From"],
  ["to", "To"],
  ["call-id", "Call-ID"],
  ["cseq", "CSeq"]
]

const parse = (bytes: Uint8Array, stream: boolean): SipMessage | ParseError => {
  const n = bytes.length
  let start = 0
  let line = 1
  // §7.5: CRLFs before the start line are ignored.
  while (start < n && (bytes[start] === 13 || bytes[start] === 10)) {
    if (bytes[start] === 10) line++
    start++
  }
  if (start === n) return parseError("Empty message", "message")
  // Find the blank line ending the header block (§7) and decode the head once. Fast path for the usual
  // small all-ASCII message: decode it whole, then char index = byte index and native string search
  // finds the blank line. Otherwise scan the bytes and decode only the head.
  // Decode the head once. Fast path, the usual small all-ASCII datagram: decode it whole (char index =
  // byte index) and let the header loop find the blank line. Otherwise find the blank line in the
  // bytes and decode only the head.
  let text = n <= FAST_PATH_MAX ? decode(bytes, 0, n) : ""
  let from = start
  let len = n
  let bodyStart = -1
  if (text.length !== n) {
    for (let p = bytes.indexOf(10, start); p >= 0; p = bytes.indexOf(10, p + 1)) {
      const next = bytes[p + 1]
      if (next === 10 || (next === 13 && bytes[p + 2] === 10)) {
        bodyStart = next === 10 ? p + 2 : p + 3
        text = decode(bytes, start, p)
        from = 0
        len = text.length
        break
      }
    }
    if (bodyStart < 0) return parseError("Missing empty line after the headers", "message")
  }

  let eol = text.indexOf("\n", from)
  if (eol < 0 || eol > len) eol = len
  const startLine = parseStartLine(trimmed(text, from, text.charCodeAt(eol - 1) === 13 ? eol - 1 : eol), line)
  if (isParseError(startLine)) return startLine

  const headers: Array<SipHeader> = []
  // One bit per header the checks below need (REQUIRED order, then Content-Length): catches duplicates too.
  let seen = 0
  let cseqValue: string | undefined
  let contentLength = -1
  let pos = eol + 1
  line++
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
    let end = text.indexOf("\n", pos)
    if (end < 0 || end > len) end = len
    let stop = end > pos && text.charCodeAt(end - 1) === 13 ? end - 1 : end
    const lineNo = line++
    const colon = text.indexOf(":", pos)
    if (colon < 0 || colon >= stop) return parseError(`Header line ${lineNo} has no colon`, "message-header", lineNo)
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

  for (let i = 0; i < REQUIRED.length; i++) {
    if ((seen & (1 << i)) === 0) return parseError(`Missing ${REQUIRED[i][1]} header`, REQUIRED[i][0])
  }
  const cseq = parseCSeq(cseqValue!)
  if (isParseError(cseq)) return cseq
  if (startLine._tag === "Request" && cseq.method !== startLine.method) {
    return parseError("CSeq method does not match the request method", "CSeq")
  }

  const available = n - bodyStart
  let bodyLength = available
  if (contentLength < 0) {
    if (stream) return parseError("Missing Content-Length on a stream transport", "Content-Length")
  } else if (contentLength > available) {
    return parseError(`Content-Length ${contentLength} exceeds the ${available} body bytes`, "Content-Length")
  } else {
    bodyLength = contentLength
  }
  const body = bodyLength === 0 ? emptyBody : new Uint8Array(bytes.buffer, bytes.byteOffset + bodyStart, bodyLength)
  return startLine._tag === "Request"
    ? { _tag: "SipRequest", method: startLine.method, uri: startLine.uri, headers, body }
    : { _tag: "SipResponse", status: startLine.status, reason: startLine.reason, headers, body }
}
