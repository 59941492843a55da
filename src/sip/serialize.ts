/**
 * The serializer (§7): start line, one line per header value, CRLF, body. Content-Length is always
 * computed from the body (§18.3, §20.14): a given one is rewritten in place, extra ones dropped, a
 * missing one appended. One string for the head, one Buffer for the whole message.
 */
import type { SipMessage } from "./message.ts"

export const serializeHead = (message: SipMessage): string => {
  let head = message._tag === "SipRequest"
    ? `${message.method} ${message.uri} SIP/2.0\r\n`
    : `SIP/2.0 ${message.status} ${message.reason}\r\n`
  const length = message.body.length
  let wroteLength = false
  const headers = message.headers
  for (let i = 0; i < headers.length; i++) {
    const h = headers[i]
    if (h.key === "content-length") {
      if (!wroteLength) head += h.name + ": " + length + "\r\n"
      wroteLength = true
    } else {
      head += h.name + ": " + h.value + "\r\n"
    }
  }
  if (!wroteLength) head += "Content-Length: " + length + "\r\n"
  return head + "\r\n"
}

export const serialize = (message: SipMessage): Uint8Array => {
  const head = serializeHead(message)
  const body = message.body
  if (body.length === 0) return Buffer.from(head, "utf8")
  const headLength = Buffer.byteLength(head, "utf8")
  const out = Buffer.allocUnsafe(headLength + body.length)
  out.write(head, 0, "utf8")
  out.set(body, headLength)
  return out
}
