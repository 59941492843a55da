/**
 * Answering input that did not parse (§21.4.1 400 Bad Request; ARCHITECTURE "errors a peer causes").
 *
 * When the bytes look like a request and still carry the headers a response must copy (§8.2.6.2: Via,
 * From, To, Call-ID, CSeq), we build a 400 straight from the raw header lines — the message model is not
 * available since parsing failed — with a reason phrase that says what was wrong. Otherwise: drop.
 */

/** Lenient on purpose: a Request-Line the parser refused (extra SP, LWS in the URI, another version)
 *  still gets its answer when the headers allow one. */
const REQUEST_LINE = /^([A-Za-z0-9!%*_+`'~.-]+)[ \t]+\S.*[ \t]SIP\/\S+[ \t]*$/i
const COMPACT: Readonly<Record<string, string>> = { v: "via", f: "from", t: "to", i: "call-id" }
const NEEDED = ["via", "from", "to", "call-id", "cseq"] as const
const decoder = new TextDecoder("utf-8", { fatal: false })

/** True for RFC 5626 §3.5.1 keep-alives: a datagram (or chunk) made only of CR/LF. */
export const isKeepAlive = (bytes: Uint8Array): boolean => {
  if (bytes.length === 0) return true
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]
    if (b !== 13 && b !== 10) return false
  }
  return true
}

/** A reason phrase safe for a status line: printable, bounded, never empty. */
export const reasonFor = (problem: string): string => {
  const cleaned = problem.replace(/[^\x20-\x7e]+/g, " ").trim().slice(0, 80)
  return cleaned.length === 0 ? "Bad Request" : cleaned
}

/** Raw header lines (unfolded, §7.3.1) up to the blank line, keyed by canonical lower-case name. */
const rawHeaders = (text: string): { readonly first: string; readonly lines: Map<string, Array<string>> } => {
  const end = text.search(/\r?\n\r?\n/)
  const head = end < 0 ? text : text.slice(0, end)
  const physical = head.split(/\r?\n/)
  const lines = new Map<string, Array<string>>()
  let last: { key: string; index: number } | undefined
  for (let i = 1; i < physical.length; i++) {
    const line = physical[i]
    if ((line.startsWith(" ") || line.startsWith("\t")) && last !== undefined) {
      const values = lines.get(last.key)!
      values[last.index] = `${values[last.index]} ${line.trim()}`
      continue
    }
    const colon = line.indexOf(":")
    if (colon <= 0) {
      last = undefined
      continue
    }
    const name = line.slice(0, colon).trim().toLowerCase()
    const key = COMPACT[name] ?? name
    const values = lines.get(key) ?? []
    values.push(line.slice(colon + 1).trim())
    lines.set(key, values)
    last = { key, index: values.length - 1 }
  }
  return { first: physical[0] ?? "", lines }
}

/**
 * The 400 (or `status`: 505 for another SIP version, 513) response bytes for `bytes`, or undefined when it
 * must be dropped: not a request, an ACK
 * (§17.1.1.3: never answered), or missing a header the response must copy.
 */
export const badRequestFor = (bytes: Uint8Array, problem: string, status = 400): Uint8Array | undefined => {
  const { first, lines } = rawHeaders(decoder.decode(bytes.subarray(0, Math.min(bytes.length, 16384))))
  const requestLine = REQUEST_LINE.exec(first)
  if (requestLine === null || requestLine[1].toUpperCase() === "ACK") return undefined
  for (const key of NEEDED) {
    const values = lines.get(key)
    if (values === undefined || values.length === 0 || values[0].length === 0) return undefined
  }
  const out: Array<string> = [`SIP/2.0 ${status} ${reasonFor(problem)}`]
  for (const via of lines.get("via")!) out.push(`Via: ${via}`)
  out.push(`From: ${lines.get("from")![0]}`)
  out.push(`To: ${lines.get("to")![0]}`)
  out.push(`Call-ID: ${lines.get("call-id")![0]}`)
  out.push(`CSeq: ${lines.get("cseq")![0]}`)
  out.push("Content-Length: 0", "", "")
  return new TextEncoder().encode(out.join("\r\n"))
}
