/**
 * §7.1 Request-Line and §7.2 Status-Line. Strict about single SP separators (§25.1: SP, not LWS),
 * lenient about the case of "SIP/2.0" (ABNF literals are case-insensitive), trailing whitespace
 * (RFC 4475 §3.1.2.10 allows it) and unknown methods (§8.2.1). Reads the line in place: no slice of
 * the whole line, only of the parts kept.
 */
import { digitsValue, isToken } from "./chars.ts"
import { type ParseError, parseError } from "./parse-error.ts"

export type StartLine =
  | { readonly _tag: "Request"; readonly method: string; readonly uri: string }
  | { readonly _tag: "Response"; readonly status: number; readonly reason: string }

/** text[from, to) is "SIP/2.0", in any case. */
const isVersion = (text: string, from: number, to: number): boolean =>
  to - from === 7 && (text.startsWith("SIP/2.0", from) || text.slice(from, to).toUpperCase() === "SIP/2.0")

const badVersion = (text: string, from: number, to: number, lineNo: number): ParseError =>
  parseError(`Unsupported SIP version ${text.slice(from, Math.min(to, from + 20))}`, "SIP-Version", lineNo)

/** The start line in text[from, to) (CRLF and trailing whitespace excluded); `lineNo` is 1-based. */
export const parseStartLine = (text: string, from: number, to: number, lineNo: number): StartLine | ParseError => {
  const sp1 = text.indexOf(" ", from)
  if (sp1 <= from || sp1 >= to) return parseError("Malformed start line", "Start-Line", lineNo)
  if (text.startsWith("SIP/", from)) {
    if (!isVersion(text, from, sp1)) return badVersion(text, from, sp1, lineNo)
    let sp2 = text.indexOf(" ", sp1 + 1)
    if (sp2 < 0 || sp2 > to) sp2 = to
    const status = sp2 - sp1 === 4 ? digitsValue(text, sp1 + 1, sp2) : -1
    if (status < 100 || status > 699) return parseError("Malformed Status-Code", "Status-Code", lineNo)
    return { _tag: "Response", status, reason: sp2 < to ? text.slice(sp2 + 1, to) : "" }
  }
  const sp2 = text.indexOf(" ", sp1 + 1)
  if (sp2 < 0 || sp2 >= to) return parseError("Malformed Request-Line", "Request-Line", lineNo)
  const sp3 = text.indexOf(" ", sp2 + 1)
  if (sp3 >= 0 && sp3 < to) return parseError("Malformed Request-Line", "Request-Line", lineNo)
  if (!isToken(text, from, sp1)) return parseError("Malformed Method", "Method", lineNo)
  if (!isVersion(text, sp2 + 1, to)) return badVersion(text, sp2 + 1, to, lineNo)
  const colon = text.indexOf(":", sp1 + 1)
  // §19.1 / RFC 3986: any absolute URI with a scheme; unknown schemes are accepted (§8.2.2.1 is the UAS's call).
  if (colon < 0 || colon >= sp2 || !isScheme(text, colon, sp1 + 1)) return parseError("Malformed Request-URI", "Request-URI", lineNo)
  for (let i = colon + 1; i < sp2; i++) {
    const c = text.charCodeAt(i)
    if (c < 33 || c === 127) return parseError("Malformed Request-URI", "Request-URI", lineNo)
  }
  return { _tag: "Request", method: text.slice(from, sp1), uri: text.slice(sp1 + 1, sp2) }
}

/** scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ), in s[from, end). */
export const isScheme = (s: string, end: number, from = 0): boolean => {
  for (let i = from; i < end; i++) {
    const c = s.charCodeAt(i) | 32
    const alpha = c >= 97 && c <= 122
    if (alpha) continue
    const d = s.charCodeAt(i)
    if (i === from || !((d >= 48 && d <= 57) || d === 43 || d === 45 || d === 46)) return false
  }
  return end > from
}
