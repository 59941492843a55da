/**
 * §7.1 Request-Line and §7.2 Status-Line. Strict about single SP separators (§25.1: SP, not LWS),
 * lenient about the case of "SIP/2.0" (ABNF literals are case-insensitive) and unknown methods (§8.2.1).
 */
import { digitsValue, isToken } from "./chars.ts"
import { type ParseError, parseError } from "./parse-error.ts"

export type StartLine =
  | { readonly _tag: "Request"; readonly method: string; readonly uri: string }
  | { readonly _tag: "Response"; readonly status: number; readonly reason: string }

const isVersion = (s: string): boolean => s === "SIP/2.0" || s.toUpperCase() === "SIP/2.0"

/** `line` is the start line without its CRLF; `lineNo` its 1-based line number in the message. */
export const parseStartLine = (line: string, lineNo: number): StartLine | ParseError => {
  const sp1 = line.indexOf(" ")
  if (sp1 <= 0) return parseError("Malformed start line", "Start-Line", lineNo)
  if (line.charCodeAt(0) === 83 /* S */ && line.startsWith("SIP/")) {
    const version = line.slice(0, sp1)
    if (!isVersion(version)) return parseError(`Unsupported SIP version ${version.slice(0, 20)}`, "SIP-Version", lineNo)
    let sp2 = line.indexOf(" ", sp1 + 1)
    if (sp2 < 0) sp2 = line.length
    const status = sp2 - sp1 === 4 ? digitsValue(line, sp1 + 1, sp2) : -1
    if (status < 100 || status > 699) return parseError("Malformed Status-Code", "Status-Code", lineNo)
    return { _tag: "Response", status, reason: sp2 < line.length ? line.slice(sp2 + 1) : "" }
  }
  const sp2 = line.indexOf(" ", sp1 + 1)
  if (sp2 < 0 || line.indexOf(" ", sp2 + 1) >= 0) {
    return parseError("Malformed Request-Line", "Request-Line", lineNo)
  }
  if (!isToken(line, 0, sp1)) return parseError("Malformed Method", "Method", lineNo)
  const version = line.slice(sp2 + 1)
  if (!isVersion(version)) return parseError(`Unsupported SIP version ${version.slice(0, 20)}`, "SIP-Version", lineNo)
  const uri = line.slice(sp1 + 1, sp2)
  const colon = uri.indexOf(":")
  // §19.1 / RFC 3986: any absolute URI with a scheme; unknown schemes are accepted here (§8.2.2.1 is the UAS's call).
  if (colon <= 0 || uri.indexOf("\t") >= 0 || !isScheme(uri, colon)) {
    return parseError("Malformed Request-URI", "Request-URI", lineNo)
  }
  return { _tag: "Request", method: line.slice(0, sp1), uri }
}

/** scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) */
export const isScheme = (s: string, end: number): boolean => {
  for (let i = 0; i < end; i++) {
    const c = s.charCodeAt(i) | 32
    const alpha = c >= 97 && c <= 122
    if (alpha) continue
    const d = s.charCodeAt(i)
    if (i === 0 || !((d >= 48 && d <= 57) || d === 43 || d === 45 || d === 46)) return false
  }
  return end > 0
}
