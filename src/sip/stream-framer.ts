/**
 * §18.3 framing on a stream transport (TCP/TLS): a message is its header block plus Content-Length
 * bytes of body. CRLFs between messages are RFC 5626 keep-alives and are skipped. Once framing is
 * lost (bad Content-Length, oversize message) the stream cannot be resynchronised: the framer yields
 * one ParseError and then nothing more; the connection should be closed.
 *
 * A frame without Content-Length is handed on with an empty body: `parseMessage(frame, { stream: true })`
 * then rejects it, so the peer gets a 400 rather than a silent close.
 */
import { digitsValue } from "./chars.ts"
import { type ParseError, parseError } from "./parse-error.ts"

const EMPTY = new Uint8Array(0)

/** Offset just past the blank line ending the header block, or -1 when not there yet. */
const headerEnd = (buf: Uint8Array, from: number, limit: number): number => {
  for (let p = buf.indexOf(10, from); p >= 0 && p < limit; p = buf.indexOf(10, p + 1)) {
    if (buf[p + 1] === 10) return p + 2
    if (buf[p + 1] === 13 && buf[p + 2] === 10) return p + 3
  }
  return -1
}

/** Content-Length (or compact "l") from a header block: a number, -1 when absent, -2 when malformed. */
const contentLength = (head: string): number => {
  let found = -1
  for (const line of head.split("\n")) {
    const colon = line.indexOf(":")
    if (colon <= 0) continue
    const name = line.slice(0, colon).trim().toLowerCase()
    if (name !== "content-length" && name !== "l") continue
    const value = digitsValue(line.slice(colon + 1).trim())
    if (value < 0 || (found >= 0 && found !== value)) return -2
    found = value
  }
  return found
}

export class StreamFramer {
  private readonly maxMessageSize: number
  private pending: Uint8Array = EMPTY
  /** Where the search for the blank line resumes: bytes before it are known not to end the head. */
  private scanned = 0
  /** Length of the frame at the start of `pending` once its head is parsed, else -1. */
  private frameLength = -1
  private broken = false

  constructor(options: { readonly maxMessageSize: number }) {
    this.maxMessageSize = options.maxMessageSize
  }

  /** Adds a chunk; returns every message now complete, in order, or a final ParseError. */
  push(chunk: Uint8Array): Array<Uint8Array | ParseError> {
    const out: Array<Uint8Array | ParseError> = []
    if (this.broken || chunk.length === 0) return out
    const buf = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk])
    let start = 0
    while (true) {
      if (this.frameLength < 0) {
        if (this.scanned === 0) {
          while (start < buf.length && (buf[start] === 13 || buf[start] === 10)) start++
        }
        if (start >= buf.length) break
        const limit = Math.min(buf.length, start + this.maxMessageSize)
        const end = headerEnd(buf, start + Math.max(0, this.scanned - 3), limit)
        if (end < 0) {
          if (buf.length - start > this.maxMessageSize) {
            out.push(this.fail(`Message too large: headers exceed ${this.maxMessageSize} bytes`))
            return out
          }
          this.scanned = buf.length - start
          break
        }
        const head = Buffer.from(buf.buffer, buf.byteOffset + start, end - start).toString("latin1")
        const length = contentLength(head)
        if (length === -2) {
          out.push(this.fail("Bad Content-Length on a stream"))
          return out
        }
        this.frameLength = end - start + Math.max(length, 0)
        this.scanned = 0
        if (this.frameLength > this.maxMessageSize) {
          out.push(this.fail(`Message too large: ${this.frameLength} bytes exceeds ${this.maxMessageSize}`))
          return out
        }
      }
      if (buf.length - start < this.frameLength) break
      // A copy: the caller may keep the frame while the socket reuses its chunk.
      out.push(new Uint8Array(buf.subarray(start, start + this.frameLength)))
      start += this.frameLength
      this.frameLength = -1
    }
    // Keep the rest; copied when it still points into the caller's chunk.
    this.pending = start >= buf.length ? EMPTY : buf === chunk ? new Uint8Array(buf.subarray(start)) : buf.subarray(start)
    return out
  }

  private fail(message: string): ParseError {
    this.broken = true
    this.pending = EMPTY
    return parseError(message, "Content-Length")
  }
}
