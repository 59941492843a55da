/**
 * The SIP message model (RFC 3261 §7). Plain, immutable data: no I/O, no Effect.
 *
 * Headers stay raw strings, in wire order, one entry per value: a header line whose grammar is a
 * comma list (Via, Contact, Route, …) is split into several entries by the parser. Typed values
 * (Via, URI, CSeq, name-addr, digest) are parsed on demand by the functions in this folder, so the
 * per-datagram hot path pays only for what it reads.
 */

/** One header value. `name` is as written on the wire (or by a builder); `key` is its canonical
 *  lower-case long form ("v" → "via", "Call-ID" → "call-id"), used for every lookup. */
export interface SipHeader {
  readonly name: string
  readonly key: string
  readonly value: string
}

export interface SipRequest {
  readonly _tag: "SipRequest"
  readonly method: string
  /** The Request-URI, raw. `parseUri` gives its typed value. */
  readonly uri: string
  readonly headers: ReadonlyArray<SipHeader>
  readonly body: Uint8Array
}

export interface SipResponse {
  readonly _tag: "SipResponse"
  readonly status: number
  readonly reason: string
  readonly headers: ReadonlyArray<SipHeader>
  readonly body: Uint8Array
}

export type SipMessage = SipRequest | SipResponse

export const isRequest = (message: SipMessage): message is SipRequest => message._tag === "SipRequest"
export const isResponse = (message: SipMessage): message is SipResponse => message._tag === "SipResponse"

export const emptyBody: Uint8Array = new Uint8Array(0)
