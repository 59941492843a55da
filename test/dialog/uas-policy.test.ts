/**
 * The UAS policy (RFC 3261 §8.2) as a table: one request each, the answer it gets before the
 * application sees it (or none: it goes on).
 */
import { describe, expect, it } from "@effect/vitest"
import { uasPolicy } from "../../src/dialog/uas-policy.ts"
import { getHeader, makeRequest, parseNameAddr } from "../../src/sip/index.ts"

interface Row {
  readonly name: string
  readonly method?: string
  readonly uri?: string
  readonly toTag?: boolean
  readonly headers?: ReadonlyArray<readonly [string, string]>
  readonly body?: string
  readonly draining?: boolean
  readonly from?: string
  readonly to?: string
  /** undefined: admitted. */
  readonly status: number | undefined
  readonly reason?: string
  readonly answerHeaders?: ReadonlyArray<readonly [string, string]>
}

const allow = ["Allow", "INVITE, ACK, CANCEL, BYE, OPTIONS, INFO, UPDATE, PRACK, MESSAGE, REFER, NOTIFY"] as const
const accept = ["Accept", "application/sdp"] as const
const sdp = "v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nc=IN IP4 127.0.0.1\r\nt=0 0\r\nm=audio 4000 RTP/AVP 0\r\n"
const multipart = `--b\r\nContent-Type: application/sdp\r\n\r\n${sdp}--b\r\nContent-Type: text/plain\r\n\r\nhi\r\n--b--\r\n`

const rows: ReadonlyArray<Row> = [
  { name: "plain INVITE", status: undefined },
  { name: "INVITE with SDP", headers: [["Content-Type", "application/sdp"]], body: sdp, status: undefined },
  { name: "INVITE with SDP (parameters, case)", headers: [["Content-Type", "Application/SDP; charset=x"]], body: sdp, status: undefined },
  { name: "OPTIONS", method: "OPTIONS", status: undefined },
  { name: "tel: URI", uri: "tel:+15551234", status: undefined },
  { name: "sips: URI", uri: "sips:bob@127.0.0.1", status: undefined },
  { name: "BYE in a dialog", method: "BYE", toTag: true, status: undefined },
  { name: "INFO in a dialog", method: "INFO", toTag: true, status: undefined },
  { name: "UPDATE in a dialog", method: "UPDATE", toTag: true, status: undefined },
  { name: "re-INVITE", toTag: true, status: undefined },
  { name: "Max-Forwards 0 (a UAS processes it)", headers: [["Max-Forwards", "0"]], status: undefined },
  { name: "Accept application/*", headers: [["Accept", "text/plain"], ["Accept", "application/*"]], status: undefined },
  { name: "unknown method → 501", method: "FOOBAR", status: 501 },
  { name: "REGISTER → 405", method: "REGISTER", status: 405, answerHeaders: [allow] },
  { name: "SUBSCRIBE → 405", method: "SUBSCRIBE", status: 405, answerHeaders: [allow] },
  { name: "MESSAGE passes (RFC 3428)", method: "MESSAGE", status: undefined },
  { name: "PUBLISH → 405", method: "PUBLISH", status: 405, answerHeaders: [allow] },
  { name: "MESSAGE in a dialog passes (RFC 3428)", method: "MESSAGE", toTag: true, status: undefined },
  { name: "REFER in a dialog passes (RFC 3515)", method: "REFER", toTag: true, status: undefined },
  { name: "NOTIFY in a dialog passes (RFC 3515)", method: "NOTIFY", toTag: true, status: undefined },
  { name: "Require: replaces passes (RFC 3891)", headers: [["Require", "replaces"]], status: undefined },
  { name: "PRACK in a dialog passes (RFC 3262)", method: "PRACK", toTag: true, status: undefined },
  { name: "Require: 100rel passes (RFC 3262)", headers: [["Require", "100rel"]], status: undefined },
  { name: "Require: timer passes (RFC 4028)", headers: [["Require", "timer"]], status: undefined },
  { name: "BYE outside a dialog → 481", method: "BYE", status: 481 },
  { name: "INFO outside a dialog → 481", method: "INFO", status: 481 },
  { name: "UPDATE outside a dialog → 481", method: "UPDATE", status: 481 },
  { name: "PRACK outside a dialog → 481", method: "PRACK", status: 481 },
  { name: "NOTIFY outside a dialog → 481", method: "NOTIFY", status: 481 },
  { name: "REFER outside a dialog → 481", method: "REFER", status: 481 },
  { name: "unknown scheme → 416", uri: "unknownscheme:x@y", status: 416 },
  { name: "http scheme → 416", uri: "http://example.com/", status: 416 },
  { name: "sip: with nothing after → 400", uri: "sip:", status: 400, reason: "Malformed Request-URI" },
  { name: "Require → 420", headers: [["Require", "nothingSupportedHere"]], status: 420, answerHeaders: [["Unsupported", "nothingSupportedHere"]] },
  {
    name: "Proxy-Require and Require → 420 naming both once",
    headers: [["Proxy-Require", "foo"], ["Require", "bar"], ["Require", "foo"]],
    status: 420,
    answerHeaders: [["Unsupported", "foo, bar"]]
  },
  { name: "OPTIONS with Require → 420", method: "OPTIONS", headers: [["Require", "x"]], status: 420, answerHeaders: [["Unsupported", "x"]] },
  { name: "INVITE with a text body → 415", headers: [["Content-Type", "text/plain"]], body: "hi", status: 415, answerHeaders: [accept] },
  { name: "multipart with SDP passes", headers: [["Content-Type", "multipart/mixed;boundary=b"]], body: multipart, status: undefined },
  {
    name: "multipart without SDP → 415",
    headers: [["Content-Type", "multipart/mixed;boundary=b"]],
    body: "--b\r\nContent-Type: text/plain\r\n\r\nhi\r\n--b--\r\n",
    status: 415,
    answerHeaders: [accept]
  },
  { name: "body without Content-Type → 400", body: sdp, status: 400, reason: "Missing Content-Type" },
  { name: "INFO with any body passes", method: "INFO", toTag: true, headers: [["Content-Type", "application/dtmf-relay"]], body: "Signal=5", status: undefined },
  { name: "Accept without SDP → 406", headers: [["Accept", "text/nobodyKnowsThis"]], status: 406, answerHeaders: [accept] },
  { name: "OPTIONS with Accept without SDP passes", method: "OPTIONS", headers: [["Accept", "text/plain"]], status: undefined },
  { name: "unterminated quote in To → 400", to: "\"Mr. J. User <sip:j.user@example.com>", status: 400, reason: "Malformed To header" },
  { name: "unparseable From → 400", from: "<sip:alice@", status: 400, reason: "Malformed From header" },
  { name: "two To headers → 400", headers: [["To", "<sip:other@127.0.0.1>"]], status: 400, reason: "Multiple To headers" },
  { name: "two Call-IDs → 400", headers: [["Call-ID", "again"]], status: 400, reason: "Multiple Call-ID headers" },
  { name: "draining: INVITE → 503 with Retry-After", draining: true, status: 503, answerHeaders: [["Retry-After", "30"]] },
  { name: "draining: OPTIONS → 503", method: "OPTIONS", draining: true, status: 503 },
  { name: "draining: re-INVITE still passes", toTag: true, draining: true, status: undefined },
  { name: "draining: BYE still passes", method: "BYE", toTag: true, draining: true, status: undefined }
]

const requestOf = (row: Row) => {
  const method = row.method ?? "INVITE"
  return makeRequest({
    method,
    uri: row.uri ?? "sip:service@127.0.0.1:5060",
    headers: [
      ["Via", "SIP/2.0/UDP 127.0.0.1:5061;branch=z9hG4bK-policy"],
      ["From", row.from ?? "<sip:alice@127.0.0.1>;tag=a1"],
      ["To", row.to ?? (row.toTag === true ? "<sip:service@127.0.0.1>;tag=ours" : "<sip:service@127.0.0.1>")],
      ["Call-ID", "policy-1"],
      ["CSeq", `1 ${method}`],
      ...(row.headers ?? [])
    ],
    ...(row.body === undefined ? {} : { body: new TextEncoder().encode(row.body) })
  })
}

describe("UAS policy (RFC 3261 §8.2)", () => {
  for (const row of rows) {
    it(row.name, () => {
      const request = requestOf(row)
      const from = parseNameAddr(getHeader(request, "from")!)
      const to = parseNameAddr(getHeader(request, "to")!)
      const refusal = uasPolicy(request, from, to, row.draining === true)
      expect(refusal?.status).toBe(row.status)
      if (row.reason !== undefined) expect(refusal?.reason).toBe(row.reason)
      if (row.answerHeaders !== undefined) expect(refusal?.headers).toEqual(row.answerHeaders)
    })
  }
})
