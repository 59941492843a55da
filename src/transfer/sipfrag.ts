/**
 * message/sipfrag (RFC 3420) as a REFER subscription's NOTIFY carries it (RFC 3515 §2.4.5): the status line
 * of the new call's latest response. Pure.
 */
export const SIPFRAG = "message/sipfrag;version=2.0"

export const sipfrag = (status: number, reason: string): Uint8Array => Buffer.from(`SIP/2.0 ${status} ${reason}\r\n`, "utf8")

const STATUS_LINE = /^\s*SIP\/2\.0\s+(\d{3})(\s|$)/

/** The status of a sipfrag's status line, or undefined when it has none. */
export const sipfragStatus = (body: Uint8Array): number | undefined => {
  const match = STATUS_LINE.exec(Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString("latin1"))
  return match === null ? undefined : Number(match[1])
}

/** Event: refer, naming the REFER whose subscription it is by its CSeq number (RFC 3515 §2.4.6). */
export const referEvent = (cseq: number): string => `refer;id=${cseq}`

/** The Event of a NOTIFY we accept: `refer`, with or without an id. */
export const isReferEvent = (value: string | undefined): boolean =>
  value !== undefined && /^\s*refer\s*(;|$)/i.test(value)
