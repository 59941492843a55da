/**
 * Nothing a peer sends may throw (ARCHITECTURE "errors a peer causes never crash the server"):
 * seeded mutations of valid messages, and random strings rich in delimiters for every value parser.
 * The parser's own safety net (a caught exception reported as "Unparseable message") must never be hit.
 */
import { describe, expect, it } from "@effect/vitest"
import {
  isParseError,
  parseChallenge,
  parseContentType,
  parseCredentials,
  parseCSeq,
  parseMessage,
  parseNameAddr,
  parseTokenList,
  parseUri,
  parseVia,
  StreamFramer
} from "../../src/sip/index.ts"
import { loadFixture } from "../fixtures/load.ts"
import { rng, word } from "./generators.ts"

const SEEDS = [
  loadFixture("invite-sdp.sip"),
  loadFixture("ok-200.sip"),
  loadFixture("wsinv.sip"),
  loadFixture("multi-values.sip"),
  loadFixture("rfc4475/intmeth.sip")
]
const INTERESTING = [0, 9, 10, 13, 32, 34, 37, 44, 47, 58, 59, 60, 61, 62, 64, 91, 92, 93, 0x80, 0xc3, 0xff]

const mutate = (input: Uint8Array, seed: number): Uint8Array => {
  const r = rng(seed)
  const bytes = Array.from(input)
  for (let k = r.int(1, 8); k > 0; k--) {
    const at = r.int(0, bytes.length)
    const op = r.int(0, 3)
    if (op === 0) bytes[at] = r.bool() ? r.pick(INTERESTING) : r.int(0, 255)
    else if (op === 1) bytes.splice(at, 0, r.pick(INTERESTING))
    else if (op === 2) bytes.splice(at, r.int(1, 20))
    else bytes.splice(at, 0, ...bytes.slice(r.int(0, bytes.length), r.int(0, bytes.length)))
  }
  return Uint8Array.from(bytes)
}

describe("fuzz: the parser and value parsers return values, never throw", () => {
  it("3000 mutated messages: a message or a ParseError, and never the internal safety net", () => {
    let parsed = 0
    for (let seed = 1; seed <= 3000; seed++) {
      const bytes = mutate(SEEDS[seed % SEEDS.length], seed)
      for (const stream of [false, true]) {
        const m = parseMessage(bytes, { stream })
        if (isParseError(m)) expect(m.message, `seed ${seed}`).not.toMatch(/^Unparseable message/)
        else parsed++
      }
    }
    // Mutations that hit the body or a free-text header still parse: the test exercises both outcomes.
    expect(parsed).toBeGreaterThan(300)
  })

  it("the framer survives mutated streams, split anywhere", () => {
    for (let seed = 1; seed <= 300; seed++) {
      const r = rng(seed)
      const framer = new StreamFramer({ maxMessageSize: 4096 })
      const stream = mutate(Buffer.concat([SEEDS[0], SEEDS[1], SEEDS[0]]), seed)
      for (let i = 0; i < stream.length;) {
        const n = r.int(1, 700)
        for (const frame of framer.push(stream.subarray(i, i + n))) {
          if (!isParseError(frame)) {
            const m = parseMessage(frame, { stream: true })
            if (isParseError(m)) expect(m.message).not.toMatch(/^Unparseable message/)
          }
        }
        i += n
      }
    }
  })

  it("5000 random strings through every value parser", () => {
    const alphabet = "aZ09 \t;,:=@<>\"\\%[]?&/.-_+*!~'`()#$sipSIP/2.0UDPtagbranch\u00e9\u65e5\x00"
    const parsers: ReadonlyArray<(s: string) => unknown> = [
      parseUri, parseVia, parseNameAddr, parseCSeq, parseChallenge, parseCredentials, parseContentType, parseTokenList
    ]
    const thrown: Array<string> = []
    let errors = 0
    for (let seed = 1; seed <= 5000; seed++) {
      const r = rng(seed)
      const prefix = r.pick(["", "sip:", "sips:a@", "SIP/2.0/UDP ", "Digest ", '"x" <sip:', "1 ", "text/"])
      const s = prefix + word(r, alphabet, 0, 40)
      for (const parse of parsers) {
        try {
          if (isParseError(parse(s))) errors++
        } catch (e) {
          thrown.push(`${seed} ${JSON.stringify(s)}: ${String(e)}`)
        }
      }
    }
    expect(thrown).toEqual([])
    // Most random strings are rejected: the inputs do reach the error paths.
    expect(errors).toBeGreaterThan(20000)
  })
})
