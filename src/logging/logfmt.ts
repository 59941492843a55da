/**
 * Log lines in logfmt, flat: `timestamp=… level=INFO fiber=#12 message="incoming call" session=s1 from=sip:…`.
 * A plain object logged beside the message gives one key=value per field (Effect's own logfmt writes it as
 * one JSON string, and its generic formatter was a third of a line's cost); anything else is formatted as
 * Effect does. Values are quoted only when they hold a space, a quote or an equals sign.
 */
import { Cause, Formatter, Logger, References } from "effect"

const bare = /^[^\s"=]*$/

const quote = (value: string): string =>
  bare.test(value) ? value : `"${value.replace(/\\([\s\S])|(")/g, "\\$1$2").replace(/\n/g, "\\n")}"`

const text = (value: unknown): string =>
  typeof value === "string"
    ? value
    : typeof value === "number" || typeof value === "boolean" || typeof value === "bigint"
    ? String(value)
    : Formatter.format(value)

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && Object.getPrototypeOf(value) === Object.prototype

const key = (label: string): string => label.replace(/[\s="]/g, "_")

export const formatLogFmtFlat: Logger.Logger<unknown, string> = Logger.make(({ cause, date, fiber, logLevel, message }) => {
  let out = `timestamp=${date.toISOString()} level=${logLevel.toUpperCase()} fiber=#${fiber.id}`
  const parts: ReadonlyArray<unknown> = Array.isArray(message) ? message : [message]
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]
    if (isPlainObject(part)) {
      for (const field in part) out += ` ${key(field)}=${quote(text(part[field]))}`
    } else out += ` message=${quote(text(part))}`
  }
  if (cause.reasons.length > 0) out += ` cause=${quote(Cause.pretty(cause))}`
  const spans = fiber.getRef(References.CurrentLogSpans)
  if (spans.length > 0) {
    const now = date.getTime()
    for (const [label, start] of spans) out += ` ${key(label)}=${now - start}ms`
  }
  const annotations = fiber.getRef(References.CurrentLogAnnotations)
  for (const label in annotations) out += ` ${key(label)}=${quote(text(annotations[label]))}`
  return out
})
