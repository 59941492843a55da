/**
 * Typed values of simple headers, parsed on demand (§20): Max-Forwards, Content-Length, Expires,
 * Content-Type, and token lists (Allow, Supported, Require, …).
 */
import { digitsValue, isToken } from "./chars.ts"
import { parseParams } from "./params.ts"
import { type ParseError, isParseError, parseError } from "./parse-error.ts"
import { splitList } from "./split-list.ts"

const number = (value: string, rule: string, max: number): number | ParseError => {
  const n = digitsValue(value.trim())
  return n < 0 || n > max ? parseError(`Bad ${rule}`, rule) : n
}

/** §20.22 Max-Forwards = 1*DIGIT (0-255 in practice, §8.1.1.6 uses 70). */
export const parseMaxForwards = (value: string): number | ParseError => number(value, "Max-Forwards", 255)

/** §20.14 Content-Length = 1*DIGIT. */
export const parseContentLength = (value: string): number | ParseError =>
  number(value, "Content-Length", Number.MAX_SAFE_INTEGER)

/** §20.19 Expires = delta-seconds (values past 2^32-1 are clamped to it, §25.1). */
export const parseExpires = (value: string): number | ParseError => {
  const v = value.trim()
  // Any run of digits is valid, however long (RFC 4475 §3.1.2.4): only the clamped value matters.
  if (v.length > 10 && /^\d+$/.test(v)) return 4294967295
  const n = number(v, "Expires", Number.MAX_SAFE_INTEGER)
  return isParseError(n) ? n : Math.min(n, 4294967295)
}

export interface MediaType {
  /** Lower case. */
  readonly type: string
  /** Lower case. */
  readonly subtype: string
  readonly params: Readonly<Record<string, string>>
}

/** §20.15 Content-Type = m-type SLASH m-subtype *(SEMI m-parameter). */
export const parseContentType = (value: string): MediaType | ParseError => {
  const slash = value.indexOf("/")
  if (slash < 0) return parseError("Bad Content-Type", "Content-Type")
  let end = value.indexOf(";", slash)
  if (end < 0) end = value.length
  const type = value.slice(0, slash).trim().toLowerCase()
  const subtype = value.slice(slash + 1, end).trim().toLowerCase()
  if (!isToken(type) || !isToken(subtype)) return parseError("Bad Content-Type", "Content-Type")
  const params = parseParams(value, end, "", "Content-Type")
  return isParseError(params) ? params : { type, subtype, params }
}

/** A token list (§20.5 Allow, §20.37 Supported, §20.32 Require, …) from one or more header values. */
export const parseTokenList = (values: string | ReadonlyArray<string>): ReadonlyArray<string> | ParseError => {
  const out: Array<string> = []
  for (const value of typeof values === "string" ? [values] : values) {
    for (const item of splitList(value)) {
      if (!isToken(item)) return parseError(`Bad list element "${item.slice(0, 20)}"`, "token-list")
      out.push(item)
    }
  }
  return out
}
