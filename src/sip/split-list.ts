/**
 * §7.3.1: a header line of a list header may carry several comma-separated values. Commas inside a
 * quoted-string or a <...> URI (§20: Contact, Route, …) do not separate values.
 */

/** Splits `value` at top-level commas; trims each element; drops empty ones (`#` allows nulls, §25.1). */
export const splitList = (value: string): Array<string> => {
  // Token lists (Allow, Supported, Require, most Vias) have neither quotes nor brackets: commas
  // found with indexOf, each element trimmed before its one slice.
  if (value.indexOf("\"") < 0 && value.indexOf("<") < 0) {
    const out: Array<string> = []
    const n = value.length
    for (let s = 0; s <= n;) {
      let c = value.indexOf(",", s)
      if (c < 0) c = n
      let a = s
      let b = c
      while (a < b && (value.charCodeAt(a) === 32 || value.charCodeAt(a) === 9)) a++
      while (b > a && (value.charCodeAt(b - 1) === 32 || value.charCodeAt(b - 1) === 9)) b--
      if (b > a) out.push(value.slice(a, b))
      s = c + 1
    }
    return out
  }
  const out: Array<string> = []
  let start = 0
  let quoted = false
  let angle = false
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i)
    if (quoted) {
      if (c === 92 /* \ */) i++
      else if (c === 34 /* " */) quoted = false
    } else if (c === 34) {
      quoted = true
    } else if (c === 60 /* < */) {
      angle = true
    } else if (c === 62 /* > */) {
      angle = false
    } else if (c === 44 /* , */ && !angle) {
      const item = value.slice(start, i).trim()
      if (item.length > 0) out.push(item)
      start = i + 1
    }
  }
  const last = value.slice(start).trim()
  if (last.length > 0) out.push(last)
  return out
}
