/**
 * Character classes of the RFC 3261 §25.1 grammar, as lookup tables: one array read per character
 * instead of a regex on the hot path.
 */

const table = (chars: string, alnum: boolean): Uint8Array => {
  const t = new Uint8Array(128)
  if (alnum) {
    for (let c = 48; c <= 57; c++) t[c] = 1
    for (let c = 65; c <= 90; c++) t[c] = 1
    for (let c = 97; c <= 122; c++) t[c] = 1
  }
  for (let i = 0; i < chars.length; i++) t[chars.charCodeAt(i)] = 1
  return t
}

/** token = 1*(alphanum / "-" / "." / "!" / "%" / "*" / "_" / "+" / "`" / "'" / "~") */
export const TOKEN = table("-.!%*_+`'~", true)

const matches = (s: string, t: Uint8Array, from: number, to: number): boolean => {
  if (to <= from) return false
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i)
    if (c >= 128 || t[c] === 0) return false
  }
  return true
}

export const isToken = (s: string, from = 0, to = s.length): boolean => matches(s, TOKEN, from, to)

/** The non-negative integer written in s[from, to) with only digits, or -1 (also past 2^53). */
export const digitsValue = (s: string, from = 0, to = s.length): number => {
  if (to <= from || to - from > 15) return -1
  let n = 0
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i) - 48
    if (c < 0 || c > 9) return -1
    n = n * 10 + c
  }
  return n
}

/** s[from, to) without leading and trailing SP/HTAB, in one slice. */
export const trimmed = (s: string, from: number, to: number): string => {
  while (from < to && (s.charCodeAt(from) === 32 || s.charCodeAt(from) === 9)) from++
  while (to > from && (s.charCodeAt(to - 1) === 32 || s.charCodeAt(to - 1) === 9)) to--
  return s.slice(from, to)
}

/** SP or HTAB: the whitespace of LWS once folding is undone (§25.1). */
export const isLws = (c: number): boolean => c === 32 || c === 9

/** `%XX` escapes decoded as UTF-8 (§19.1.2, §25.1 escaped); undefined when an escape is malformed. */
export const unescape = (s: string): string | undefined => {
  if (s.indexOf("%") < 0) return s
  try {
    return decodeURIComponent(s)
  } catch {
    return undefined
  }
}

const HEX = "0123456789ABCDEF"
const encoder = new TextEncoder()

/** Escapes every character not in `allowed` (a table from `charTable`) as UTF-8 `%XX`. */
export const escape = (s: string, allowed: Uint8Array): string => {
  let ok = true
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    if (c >= 128 || allowed[c] === 0) {
      ok = false
      break
    }
  }
  if (ok) return s
  let out = ""
  for (const ch of s) {
    const c = ch.charCodeAt(0)
    if (ch.length === 1 && c < 128 && allowed[c] === 1) {
      out += ch
      continue
    }
    for (const b of encoder.encode(ch)) out += "%" + HEX[b >> 4] + HEX[b & 15]
  }
  return out
}

/** unreserved (alphanum / mark) plus `extra`, for `escape`. */
export const charTable = (extra: string): Uint8Array => table("-_.!~*'()" + extra, true)
