/**
 * Generic `*( SEMI generic-param )` lists (§25.1: generic-param = token [ EQUAL gen-value ],
 * gen-value = token / host / quoted-string), shared by Via, name-addr and Content-Type.
 */
import { isLws, TOKEN } from "./chars.ts"
import { type ParseError, parseError } from "./parse-error.ts"

/** Reads a quoted-string starting at s[i] === '"'; returns its unescaped text and the index after it. */
export const readQuoted = (s: string, i: number): { readonly text: string; readonly end: number } | undefined => {
  let text = ""
  let from = i + 1
  for (let j = i + 1; j < s.length; j++) {
    const c = s.charCodeAt(j)
    if (c === 92 /* \ */) {
      text += s.slice(from, j)
      from = j + 1
      j++
    } else if (c === 34) {
      return { text: text + s.slice(from, j), end: j + 1 }
    }
  }
  return undefined
}

/** s[from, to) in lower case, without the toLowerCase copy when it already is (the usual case). */
export const lowerSlice = (s: string, from: number, to: number): string => {
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i)
    if (c >= 65 && c <= 90) return s.slice(from, to).toLowerCase()
  }
  return s.slice(from, to)
}

/** The usual parameter names, matched in place: a literal property key is far cheaper than a fresh slice. */
const COMMON_PARAMS: ReadonlyArray<ReadonlyArray<string>> = [
  [], [], ["lr", "ob"], ["tag", "ttl"], ["user"], ["rport", "maddr"], ["branch", "method"], ["expires"],
  ["received"], ["transport"]
]

const paramName = (s: string, from: number, to: number): string => {
  const len = to - from
  if (len < COMMON_PARAMS.length) {
    const names = COMMON_PARAMS[len]
    for (let k = 0; k < names.length; k++) if (s.startsWith(names[k], from)) return names[k]
  }
  return lowerSlice(s, from, to)
}

/**
 * Reads the value after a parameter's `=` at s[i] into `params[name]`: a quoted-string (unquoted), else the
 * run up to `stop` or LWS. Returns the index after the value.
 */
export const readValue = (
  s: string,
  i: number,
  stop: number,
  params: Record<string, string | null>,
  name: string,
  rule: string
): number | ParseError => {
  if (s.charCodeAt(i) === 34) {
    const q = readQuoted(s, i)
    if (q === undefined) return parseError(`Unterminated quoted ${rule} parameter`, rule)
    params[name] = q.text
    return q.end
  }
  const n = s.length
  const valueStart = i
  while (i < n && s.charCodeAt(i) !== stop && !isLws(s.charCodeAt(i))) i++
  if (i === valueStart) return parseError(`Empty ${rule} parameter value`, rule)
  params[name] = s.slice(valueStart, i)
  return i
}

export const quote = (s: string): string => `"${s.replace(/["\\]/g, "\\$&")}"`

/**
 * Parses `;name[=value]` pairs from s[i]. Names are lower-cased (§7.3.1: case-insensitive); quoted
 * values are unquoted; a flag has value `flag`. Stops with an error on anything else.
 */
export const parseParams = <F extends string | null>(
  s: string,
  i: number,
  flag: F,
  rule: string
): Record<string, string | F> | ParseError => {
  const params: Record<string, string | F> = {}
  const n = s.length
  while (true) {
    while (i < n && isLws(s.charCodeAt(i))) i++
    if (i >= n) return params
    if (s.charCodeAt(i) !== 59 /* ; */) return parseError(`Unexpected character in ${rule} parameters`, rule)
    i++
    while (i < n && isLws(s.charCodeAt(i))) i++
    const nameStart = i
    while (i < n) {
      const c = s.charCodeAt(i)
      if (c >= 128 || TOKEN[c] === 0) break
      i++
    }
    if (i === nameStart) return parseError(`Bad ${rule} parameter name`, rule)
    const name = paramName(s, nameStart, i)
    while (i < n && isLws(s.charCodeAt(i))) i++
    if (i < n && s.charCodeAt(i) === 61 /* = */) {
      i++
      while (i < n && isLws(s.charCodeAt(i))) i++
      const end = readValue(s, i, 59 /* ; */, params, name, rule)
      if (typeof end !== "number") return end
      i = end
    } else {
      params[name] = flag
    }
  }
}
