/**
 * W3C trace context (https://www.w3.org/TR/trace-context/) in a SIP header: `traceparent` read from an
 * incoming INVITE (the caller's span becomes the call span's parent) and written for the next leg.
 */
import { Tracer } from "effect"

const FORMAT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/

/** The caller's span, or undefined for a header we cannot use (wrong form, all-zero ids, version ff). */
export const parseTraceparent = (value: string): Tracer.ExternalSpan | undefined => {
  const match = FORMAT.exec(value.trim().toLowerCase())
  if (match === null || match[1] === "ff" || /^0+$/.test(match[2]) || /^0+$/.test(match[3])) return undefined
  return Tracer.externalSpan({ traceId: match[2], spanId: match[3], sampled: (parseInt(match[4], 16) & 1) === 1 })
}

/** The header value that makes `span` the parent of what the next hop does. */
export const formatTraceparent = (span: { readonly traceId: string; readonly spanId: string; readonly sampled: boolean }): string =>
  `00-${span.traceId}-${span.spanId}-${span.sampled ? "01" : "00"}`
