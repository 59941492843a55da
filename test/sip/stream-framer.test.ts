import { describe, expect, it } from "@effect/vitest"
import { getHeader, isParseError, parseMessage, type ParseError, StreamFramer } from "../../src/sip/index.ts"
import { loadFixture } from "../fixtures/load.ts"

const enc = new TextEncoder()
const dec = new TextDecoder()
const msg = (callId: string, body = ""): string =>
  [
    "OPTIONS sip:bob@127.0.0.1 SIP/2.0",
    "Via: SIP/2.0/TCP 127.0.0.1:5060;branch=z9hG4bK-" + callId,
    "From: <sip:a@127.0.0.1>;tag=1",
    "To: <sip:bob@127.0.0.1>",
    "Call-ID: " + callId,
    "CSeq: 1 OPTIONS",
    `Content-Length: ${enc.encode(body).length}`,
    "",
    body
  ].join("\r\n")

const frames = (framer: StreamFramer, chunks: ReadonlyArray<Uint8Array>): Array<Uint8Array | ParseError> =>
  chunks.flatMap((c) => [...framer.push(c)])
const callIds = (out: ReadonlyArray<Uint8Array | ParseError>): Array<string> =>
  out.map((f) => {
    if (isParseError(f)) return `error: ${f.message}`
    const m = parseMessage(f, { stream: true })
    return isParseError(m) ? `bad: ${m.message}` : getHeader(m, "call-id")!
  })

describe("StreamFramer (§18.3)", () => {
  it("several messages in one chunk, bodies with blank lines inside", () => {
    const framer = new StreamFramer({ maxMessageSize: 65536 })
    const out = frames(framer, [enc.encode(msg("one", "a=1\r\n\r\nb=2") + msg("two") + msg("three", "x"))])
    expect(callIds(out)).toEqual(["one", "two", "three"])
    const first = out[0] as Uint8Array
    expect(dec.decode(first).endsWith("\r\n\r\na=1\r\n\r\nb=2")).toBe(true)
  })

  it("a message split at every byte comes out once, whole", () => {
    const framer = new StreamFramer({ maxMessageSize: 65536 })
    const bytes = loadFixture("invite-sdp.sip")
    const out: Array<Uint8Array | ParseError> = []
    for (let i = 0; i < bytes.length; i++) {
      const got = [...framer.push(bytes.subarray(i, i + 1))]
      if (i < bytes.length - 1) expect(got).toEqual([])
      out.push(...got)
    }
    expect(out).toHaveLength(1)
    expect(Buffer.from(out[0] as Uint8Array).equals(Buffer.from(bytes))).toBe(true)
  })

  it("random chunk boundaries over a stream of messages and CRLF keep-alives (RFC 5626 §3.5.1)", () => {
    const ids = Array.from({ length: 40 }, (_, i) => `m${i}`)
    const stream = enc.encode(ids.map((id, i) => (i % 3 === 0 ? "\r\n\r\n" : "") + msg(id, i % 2 === 0 ? "body " + id : "")).join(""))
    let seed = 7
    const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648
    for (let run = 0; run < 20; run++) {
      const framer = new StreamFramer({ maxMessageSize: 65536 })
      const chunks: Array<Uint8Array> = []
      for (let i = 0; i < stream.length;) {
        const n = 1 + Math.floor(next() * 300)
        chunks.push(stream.slice(i, i + n))
        i += n
      }
      expect(callIds(frames(framer, chunks))).toEqual(ids)
    }
  })

  it("a frame does not alias the chunk it came from", () => {
    const framer = new StreamFramer({ maxMessageSize: 65536 })
    const chunk = enc.encode(msg("keep") + msg("next").slice(0, 20))
    const [frame] = framer.push(chunk)
    chunk.fill(0)
    expect(callIds([frame])).toEqual(["keep"])
    expect(callIds([...framer.push(enc.encode(msg("next").slice(20)))])).toEqual(["next"])
  })

  it("only CRLFs yield nothing", () => {
    const framer = new StreamFramer({ maxMessageSize: 100 })
    expect([...framer.push(enc.encode("\r\n\r\n")), ...framer.push(enc.encode("\r\n"))]).toEqual([])
  })

  it("oversize: a body past maxMessageSize, or a head that never ends, is one ParseError and then nothing", () => {
    const big = new StreamFramer({ maxMessageSize: 1000 })
    const out = [...big.push(enc.encode(msg("big", "x".repeat(3000))))]
    expect(out).toHaveLength(1)
    expect(isParseError(out[0]) && /too large/i.test(out[0].message)).toBe(true)
    expect([...big.push(enc.encode(msg("after")))]).toEqual([])

    const endless = new StreamFramer({ maxMessageSize: 1000 })
    expect([...endless.push(enc.encode("OPTIONS sip:x SIP/2.0\r\nX: " + "y".repeat(600)))]).toEqual([])
    const e = [...endless.push(enc.encode("y".repeat(600)))]
    expect(e.length === 1 && isParseError(e[0]) && /too large/i.test(e[0].message)).toBe(true)
  })

  it("a bad or conflicting Content-Length loses the framing: ParseError", () => {
    const bad = new StreamFramer({ maxMessageSize: 65536 })
    const out = [...bad.push(enc.encode(msg("x").replace("Content-Length: 0", "Content-Length: ab")))]
    expect(out.length === 1 && isParseError(out[0])).toBe(true)
    const two = new StreamFramer({ maxMessageSize: 65536 })
    const out2 = [...two.push(enc.encode(msg("x").replace("Content-Length: 0", "Content-Length: 0\r\nl: 5")))]
    expect(out2.length === 1 && isParseError(out2[0])).toBe(true)
  })

  it("no Content-Length: the frame is the head, and parseMessage(stream) rejects it with a 400-able error", () => {
    const framer = new StreamFramer({ maxMessageSize: 65536 })
    const out = [...framer.push(enc.encode(msg("nolen").replace("Content-Length: 0\r\n", "") + msg("ok")))]
    expect(callIds(out)).toEqual(["bad: Missing Content-Length on a stream transport", "ok"])
  })
})
