/**
 * The message parser (§7, §18.3, §25): bytes in, a `SipMessage` or a `ParseError` out, never a throw.
 *
 * Hot path (ARCHITECTURE.md): the header block is decoded once, lines are found with indexOf, header
 * values stay raw strings. Only the checks §8.2 / §18.3 need before a message can go up are made here:
 * start line, header-line syntax, mandatory headers, CSeq method, Content-Length.
 */
import { cseqMethodOf } from "./cseq.ts"
import { readHeaders } from "./header-lines.ts"
import { emptyBody, type SipMessage } from "./message.ts"
import { type ParseError, isParseError, parseError } from "./parse-error.ts"
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

/** Messages up to this size are decoded whole on the fast path (a UDP datagram nearly always is). */
const FAST_PATH_MAX = 8192

/** Index of the LF that ends the last header line of `text` (one is known to exist). */
const blankLine = (text: string, from: number): number => {
  for (let q = text.indexOf("\n", from); q >= 0; q = text.indexOf("\n", q + 1)) {
    const next = text.charCodeAt(q + 1)
    if (next === 10 || (next === 13 && text.charCodeAt(q + 2) === 10)) return q
  }
  return text.length
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
  // Decode the head once. Fast path, the usual small all-ASCII datagram: decode it whole (char index =
  // byte index) and let the header loop find the blank line. Otherwise find the blank line in the
  // bytes and decode only the head.
  let text = n <= FAST_PATH_MAX ? decode(bytes, 0, n) : ""
  let from = start
  let len = n
  let bodyStart = -1
  if (text.length !== n) {
    let headEnd = -1
    for (let p = bytes.indexOf(10, start); p >= 0; p = bytes.indexOf(10, p + 1)) {
      const next = bytes[p + 1]
      if (next === 10 || (next === 13 && bytes[p + 2] === 10)) {
        bodyStart = next === 10 ? p + 2 : p + 3
        headEnd = p
        break
      }
    }
    if (bodyStart < 0) return parseError("Missing empty line after the headers", "message")
    if (text.length > 0) {
      // Already decoded whole: CR and LF never come out of a multi-byte sequence, so the first blank
      // line of the text is the one found in the bytes. Only the char index differs.
      len = blankLine(text, start)
    } else {
      text = decode(bytes, start, headEnd)
      from = 0
      len = text.length
    }
  }

  let eol = text.indexOf("\n", from)
  if (eol < 0 || eol > len) eol = len
  let lineEnd = eol
  while (lineEnd > from && (text.charCodeAt(lineEnd - 1) === 13 || text.charCodeAt(lineEnd - 1) === 32)) lineEnd--
  const startLine = parseStartLine(text, from, lineEnd, line)
  if (isParseError(startLine)) return startLine

  const block = readHeaders(text, eol + 1, len, line + 1, bodyStart)
  if (isParseError(block)) return block
  const { contentLength, headers, seen } = block
  bodyStart = block.bodyStart

  for (let i = 0; i < REQUIRED.length; i++) {
    if ((seen & (1 << i)) === 0) return parseError(`Missing ${REQUIRED[i][1]} header`, REQUIRED[i][0])
  }
  const cseqMethod = cseqMethodOf(block.cseq)
  if (cseqMethod === undefined) return parseError("Malformed CSeq", "CSeq")
  if (startLine._tag === "Request" && cseqMethod !== startLine.method) {
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
