/**
 * A small seeded generator for property tests (effect 4 ships no FastCheck in effect/testing here):
 * mulberry32, deterministic per seed, so a failing case is reproducible from its seed.
 */
import { formatNameAddr, formatUri, type SipUri } from "../../src/sip/index.ts"

export interface Rng {
  readonly next: () => number
  readonly int: (min: number, max: number) => number
  readonly pick: <A>(items: ReadonlyArray<A>) => A
  readonly bool: () => boolean
}

export const rng = (seed: number): Rng => {
  let a = seed >>> 0
  const next = (): number => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
  const int = (min: number, max: number): number => min + Math.floor(next() * (max - min + 1))
  return { next, int, pick: (items) => items[int(0, items.length - 1)], bool: () => next() < 0.5 }
}

const ALNUM = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
const TOKEN_CHARS = ALNUM + "-.!%*_+`'~"

export const word = (r: Rng, chars: string, min = 1, max = 12): string => {
  let s = ""
  const n = r.int(min, max)
  for (let i = 0; i < n; i++) s += chars[r.int(0, chars.length - 1)]
  return s
}
export const token = (r: Rng, max = 12): string => word(r, TOKEN_CHARS, 1, max)
const lowerToken = (r: Rng): string => word(r, "abcdefghijklmnopqrstuvwxyz0123456789-", 1, 8)
/** Any text, including characters a URI must escape and non-ASCII. */
const anyText = (r: Rng): string => word(r, ALNUM + " @:;?&=%/[]+$,\"<>#é日", 1, 10)

const hostname = (r: Rng): string =>
  r.pick([
    () => `${lowerToken(r).replace(/^-+|-+$/g, "") || "h"}.example.com`,
    () => `192.0.2.${r.int(0, 255)}`,
    () => `[2001:db8::${r.int(1, 9999).toString(16)}]`
  ])()

export const genUri = (r: Rng): SipUri => {
  const scheme = r.pick(["sip", "sips", "sip"])
  const uri: { -readonly [K in keyof SipUri]: SipUri[K] } = { scheme, host: hostname(r), params: {}, headers: {} }
  if (r.bool()) uri.user = anyText(r)
  if (uri.user !== undefined && r.next() < 0.2) uri.password = anyText(r)
  if (r.bool()) uri.port = r.int(1, 65535)
  const params: Record<string, string> = {}
  for (let i = r.int(0, 3); i > 0; i--) params[lowerToken(r)] = r.bool() ? "" : anyText(r)
  const headers: Record<string, string> = {}
  for (let i = r.int(0, 2); i > 0; i--) headers[token(r)] = anyText(r)
  uri.params = params
  uri.headers = headers
  return uri
}

const viaValue = (r: Rng): string =>
  `SIP/2.0/${r.pick(["UDP", "TCP", "TLS"])} ${hostname(r)}${r.bool() ? `:${r.int(1, 65535)}` : ""};branch=z9hG4bK${token(r)}${
    r.bool() ? ";rport" : ""
  }`

const nameAddr = (r: Rng, tag: boolean): string =>
  formatNameAddr({
    ...(r.bool() ? { displayName: word(r, ALNUM + " ,;<>\"\\é", 1, 10) } : {}),
    uri: formatUri(genUri(r)),
    params: tag ? { tag: token(r) } : {}
  })

/** A header value that is one element even for list headers: no top-level comma. */
const plainValue = (r: Rng): string => r.pick([
  () => token(r),
  () => `${token(r)} ${token(r)}`,
  () => `"${word(r, ALNUM + " ,;", 1, 12)}"`,
  () => `<${formatUri(genUri(r))}>`,
  () => ""
])()

const NAME_SPELLINGS = ["Via", "v", "VIA", "From", "f", "To", "t", "Call-ID", "i", "call-id", "CSeq", "Contact", "m",
  "Allow", "Supported", "k", "Subject", "s", "User-Agent", "X-Custom", "Route", "Record-Route"]

export type HeaderSpec = readonly [string, string]

export interface GeneratedMessage {
  readonly request: boolean
  readonly start: { readonly method: string; readonly uri: string } | { readonly status: number; readonly reason: string }
  readonly headers: ReadonlyArray<HeaderSpec>
  readonly body: Uint8Array
}

/** A valid message: mandatory headers present once, CSeq matching, extra headers in random order. */
export const genMessage = (r: Rng): GeneratedMessage => {
  const request = r.bool()
  const method = r.pick(["INVITE", "ACK", "BYE", "OPTIONS", "REGISTER", token(r)])
  const start = request
    ? { method, uri: formatUri(genUri(r)) }
    : { status: r.int(100, 699), reason: r.pick(["OK", "Ringing", "", "Bad Request", "Occupé 日本"]) }
  const headers: Array<HeaderSpec> = []
  for (let i = r.int(1, 3); i > 0; i--) headers.push([r.pick(["Via", "v"]), viaValue(r)])
  const mandatory: Array<HeaderSpec> = [
    [r.pick(["From", "f"]), nameAddr(r, true)],
    [r.pick(["To", "t"]), nameAddr(r, r.bool())],
    [r.pick(["Call-ID", "i"]), `${token(r)}@${hostname(r)}`],
    ["CSeq", `${r.int(0, 2 ** 31 - 1)} ${method}`]
  ]
  for (const h of mandatory) headers.splice(r.int(0, headers.length), 0, h)
  for (let i = r.int(0, 6); i > 0; i--) {
    const name = r.pick(NAME_SPELLINGS)
    if (["via", "v", "from", "f", "to", "t", "call-id", "i", "cseq"].includes(name.toLowerCase())) continue
    headers.splice(r.int(0, headers.length), 0, [name, plainValue(r)])
  }
  const body = r.bool() ? new Uint8Array(0) : Uint8Array.from({ length: r.int(1, 300) }, () => r.int(0, 255))
  return { request, start, headers, body }
}
