import { describe, expect, it } from "@effect/vitest"
import {
  formatUri,
  isParseError,
  makeRequest,
  parseMessage,
  parseUri,
  serialize,
  type SipMessage,
  withHeader
} from "../../src/sip/index.ts"
import { genMessage, genUri, rng } from "./generators.ts"

const RUNS = 400

const build = (seed: number): SipMessage => {
  const g = genMessage(rng(seed))
  if ("method" in g.start) return makeRequest({ method: g.start.method, uri: g.start.uri, headers: g.headers, body: g.body })
  const request = makeRequest({ method: "X", uri: "sip:x", headers: g.headers, body: g.body })
  return { _tag: "SipResponse", status: g.start.status, reason: g.start.reason, headers: request.headers, body: g.body }
}

describe("round trip: parse(serialize(m)) equals m", () => {
  it(`over ${RUNS} generated messages (serialize appends the Content-Length it computes)`, () => {
    for (let seed = 1; seed <= RUNS; seed++) {
      const m = build(seed)
      const wire = serialize(m)
      const parsed = parseMessage(wire)
      if (isParseError(parsed)) throw new Error(`seed ${seed}: ${parsed.message}`)
      const expected = withHeader(m, "Content-Length", String(m.body.length))
      expect(parsed, `seed ${seed}`).toEqual(expected)
      // Stream framing reads the same bytes the same way.
      expect(parseMessage(wire, { stream: true }), `seed ${seed}`).toEqual(expected)
      // And a second trip is byte-identical: the serializer is canonical.
      expect(Buffer.from(serialize(parsed)).equals(Buffer.from(wire)), `seed ${seed}`).toBe(true)
    }
  })

  it(`parseUri(formatUri(u)) equals u over ${RUNS} generated URIs (escapes, IPv6, params, headers)`, () => {
    for (let seed = 1; seed <= RUNS; seed++) {
      const uri = genUri(rng(seed))
      expect(parseUri(formatUri(uri)), `seed ${seed}: ${formatUri(uri)}`).toEqual(uri)
    }
  })
})
