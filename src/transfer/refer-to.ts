/**
 * The Refer-To header (RFC 3515 §2.1): one name-addr whose URI may embed headers (RFC 3261 §19.1.1), of
 * which Replaces (RFC 3891 §5) makes the transfer attended. Pure.
 */
import { isParseError, parseNameAddr, parseUri } from "../sip/index.ts"

export interface ReferTarget {
  /** The URI to call, its headers removed. */
  readonly target: string
  /** The embedded Replaces value, unescaped. */
  readonly replaces?: string
}

/** Why a Refer-To is refused: 400 when it does not parse, 416 for a scheme we cannot call. */
export interface ReferToRefusal {
  readonly status: 400 | 416
  readonly reason: string
}

const unescape = (value: string): string | undefined => {
  try {
    return decodeURIComponent(value)
  } catch {
    return undefined
  }
}

export const parseReferTo = (values: ReadonlyArray<string>): ReferTarget | ReferToRefusal => {
  if (values.length !== 1) return { status: 400, reason: values.length === 0 ? "Missing Refer-To" : "Multiple Refer-To" }
  const nameAddr = parseNameAddr(values[0])
  if (isParseError(nameAddr)) return { status: 400, reason: "Malformed Refer-To" }
  const question = nameAddr.uri.indexOf("?")
  const target = question < 0 ? nameAddr.uri : nameAddr.uri.slice(0, question)
  const uri = parseUri(target)
  if (isParseError(uri)) return { status: 400, reason: "Malformed Refer-To" }
  const scheme = uri.scheme.toLowerCase()
  if (scheme !== "sip" && scheme !== "sips") return { status: 416, reason: "Unsupported Refer-To Scheme" }
  if (question < 0) return { target }
  let replaces: string | undefined
  for (const field of nameAddr.uri.slice(question + 1).split("&")) {
    const eq = field.indexOf("=")
    if (eq < 0 || field.slice(0, eq).toLowerCase() !== "replaces") continue
    replaces = unescape(field.slice(eq + 1))
    if (replaces === undefined) return { status: 400, reason: "Malformed Replaces in Refer-To" }
  }
  return replaces === undefined ? { target } : { target, replaces }
}

export const isRefusal = (value: ReferTarget | ReferToRefusal): value is ReferToRefusal => "status" in value
