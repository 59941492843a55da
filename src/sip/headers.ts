/**
 * Header lookup and immutable edits on the message model. Keys are canonical (`headerKey`), so any
 * spelling works for the `name` arguments: "Call-ID", "call-id", "i".
 */
import { headerKey } from "./header-names.ts"
import type { SipHeader, SipMessage } from "./message.ts"

/** The first value of header `key` (lower-case long name, e.g. "call-id"), or undefined. */
export const getHeader = (message: SipMessage, key: string): string | undefined => {
  const headers = message.headers
  for (let i = 0; i < headers.length; i++) {
    if (headers[i].key === key) return headers[i].value
  }
  // Callers may pass a compact or mixed-case name; fall back to the canonical key once.
  const canonical = headerKey(key)
  if (canonical === key) return undefined
  for (let i = 0; i < headers.length; i++) {
    if (headers[i].key === canonical) return headers[i].value
  }
  return undefined
}

/** Every value of header `key`, in order (list headers already split into one value each). */
export const getHeaders = (message: SipMessage, key: string): ReadonlyArray<string> => {
  const canonical = headerKey(key)
  const out: Array<string> = []
  for (const h of message.headers) if (h.key === canonical) out.push(h.value)
  return out
}

/**
 * A header from a builder. CR/LF in the value would end the header line early (header injection):
 * they are unfolded to one SP, which §7.3.1 defines as equivalent.
 */
export const header = (name: string, value: string): SipHeader => ({
  name,
  key: headerKey(name),
  value: value.indexOf("\n") < 0 && value.indexOf("\r") < 0 ? value : value.replace(/[ \t]*[\r\n]+[ \t]*/g, " ")
})

/** A copy of `message` with `name: value` appended after the existing headers. */
export const withHeader = <M extends SipMessage>(message: M, name: string, value: string): M => ({
  ...message,
  headers: [...message.headers, header(name, value)]
})

/** A copy where header `name` has the single value `value`: in place of the first one, or appended. */
export const setHeader = <M extends SipMessage>(message: M, name: string, value: string): M => {
  const key = headerKey(name)
  const headers: Array<SipHeader> = []
  let placed = false
  for (const h of message.headers) {
    if (h.key !== key) headers.push(h)
    else if (!placed) {
      headers.push(header(h.name, value))
      placed = true
    }
  }
  if (!placed) headers.push(header(name, value))
  return { ...message, headers }
}

/** A copy without any header `name`. */
export const removeHeader = <M extends SipMessage>(message: M, name: string): M => {
  const key = headerKey(name)
  return { ...message, headers: message.headers.filter((h) => h.key !== key) }
}
