/**
 * The message parser (§7, §18.3, §25): bytes in, a `SipMessage` or a `ParseError` out, never a throw.
 *
 * Hot path (ARCHITECTURE.md): the header block is decoded once, lines are found with indexOf, header
 * values stay raw strings. Only the checks §8.2 / §18.3 need before a message can go up are made here:
 * start line, header-line syntax, mandatory headers, CSeq method, Content-Length.
 */
import { digitsValue, isToken } from "./chars.ts"
import { parseCSeq } from "./cseq.ts"
import { headerKey, LIST_HEADERS } from "./header-names.ts"
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

const decode = (bytes: Uint8Array, start: number, end: number): string =>
  (Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength))
    .toString("utf8", start, end)

/** s[from, to) without leading and trailing SP/HTAB, in one slice. */
const trimmed = (s: string, from: number, to: number): string => {
  while (from < to && (s.charCodeAt(from) === 32 || s.charCodeAt(from) === 9)) from++
  while (to > from && (s.charCodeAt(to - 1) === 32 || s.charCodeAt(to - 1) === 9)) to--
  return s.slice(from, to)
}

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
  let headEnd = -1
  let bodyStart = -1
  for (let p = bytes.indexOf(10, start); p >= 0; p = bytes.indexOf(10, p + 1)) {
    const next = bytes[p + 1]
    if (next === 10) {
      headEnd = p
      bodyStart = p + 2
      break
    }
    if (next === 13 && bytes[p + 2] === 10) {
      headEnd = p
      bodyStart = p + 3
      break
    }
  }
  if (headEnd < 0) return parseError("Missing empty line after the headers", "message")
  const text = decode(bytes, start, headEnd)
  const len = text.length

  let eol = text.indexOf("\n")
  if (eol < 0) eol = len
  const startLine = parseStartLine(trimmed(text, 0, text.charCodeAt(eol - 1) === 13 ? eol - 1 : eol), line)
  if (isParseError(startLine)) return startLine

  const headers: Array<SipHeader> = []
  // One bit per header the checks below need (REQUIRED order, then Content-Length): catches duplicates too.
  let seen = 0
  let cseqValue: string | undefined
  let contentLength = -1
  let pos = eol + 1
  line++
  while (pos < len) {
    let end = text.indexOf("\n", pos)
    if (end < 0) end = len
    let stop = end > pos && text.charCodeAt(end - 1) === 13 ? end - 1 : end
    const lineNo = line++
    const colon = text.indexOf(":", pos)
    if (colon < 0 || colon >= stop) return parseError(`Header line ${lineNo} has no colon`, "message-header", lineNo)
    let nameEnd = colon
    while (nameEnd > pos && (text.charCodeAt(nameEnd - 1) === 32 || text.charCodeAt(nameEnd - 1) === 9)) nameEnd--
    if (!isToken(text, pos, nameEnd)) return parseError(`Bad header name on line ${lineNo}`, "header-name", lineNo)
    let value = trimmed(text, colon + 1, stop)
    // §7.3.1: a line starting with SP/HTAB continues the previous header (LWS folding).
    let next = end + 1
    while (next < len && (text.charCodeAt(next) === 32 || text.charCodeAt(next) === 9)) {
      end = text.indexOf("\n", next)
      if (end < 0) end = len
      stop = end > next && text.charCodeAt(end - 1) === 13 ? end - 1 : end
      line++
      const part = trimmed(text, next, stop)
      if (part.length > 0) value = value.length > 0 ? value + " " + part : part
      next = end + 1
    }
    const headerName = text.slice(pos, nameEnd)
    pos = next
    const key = headerKey(headerName)
    switch (key) {
      case "via":
        if (value.length === 0) return parseError(`Empty ${headerName} header`, key, lineNo)
        seen |= 1
        break
      case "from":
      case "to":
      case "call-id":
      case "cseq":
      case "content-length": {
        const bit = key === "from" ? 2 : key === "to" ? 4 : key === "call-id" ? 8 : key === "cseq" ? 16 : 32
        if ((seen & bit) !== 0) return parseError(`Duplicate ${headerName} header`, key, lineNo)
        seen |= bit
        if (value.length === 0) return parseError(`Empty ${headerName} header`, key, lineNo)
        if (bit === 16) cseqValue = value
        if (bit === 32) {
          contentLength = digitsValue(value)
          if (contentLength < 0) return parseError("Bad Content-Length", "Content-Length", lineNo)
        }
      }
    }
    if (value.indexOf(",") >= 0 && LIST_HEADERS.has(key)) {
      for (const item of splitList(value)) headers.push({ name: headerName, key, value: item })
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
