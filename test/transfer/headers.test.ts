/**
 * The pure parts of transfer: Refer-To (RFC 3515 §2.1, an embedded Replaces, RFC 3891 §5), message/sipfrag
 * (RFC 3420), and the Replaces header matched against the dialog store (RFC 3891 §3).
 */
import { describe, expect, it } from "@effect/vitest"
import { DialogStore } from "../../src/dialog/dialog-store.ts"
import { uasDialog } from "../../src/dialog/dialog-state.ts"
import { matchReplaces, parseReplaces, replacingUri } from "../../src/dialog/replaces.ts"
import type { SipRequest } from "../../src/sip/index.ts"
import { parseReferTo } from "../../src/transfer/refer-to.ts"
import { endStatus } from "../../src/transfer/referred-call.ts"
import { isReferEvent, sipfrag, sipfragStatus } from "../../src/transfer/sipfrag.ts"
import type { Endpoint } from "../../src/transport/transport.ts"

const request = (method: string, headers: ReadonlyArray<readonly [string, string]>): SipRequest => ({
  _tag: "SipRequest",
  method,
  uri: "sip:us@127.0.0.1",
  headers: headers.map(([name, value]) => ({ name, key: name.toLowerCase(), value })),
  body: new Uint8Array(0)
})

const here: Endpoint = { host: "127.0.0.1", port: 5060, transport: "udp" }

describe("Refer-To (RFC 3515 §2.1)", () => {
  it("a name-addr or a bare URI is a blind transfer's target", () => {
    expect(parseReferTo(["<sip:bob@127.0.0.1:5080>"])).toEqual({ target: "sip:bob@127.0.0.1:5080" })
    expect(parseReferTo(["sip:bob@127.0.0.1"])).toEqual({ target: "sip:bob@127.0.0.1" })
    expect(parseReferTo(["\"Bob\" <sips:bob@example.com;transport=tls>"])).toEqual({ target: "sips:bob@example.com;transport=tls" })
  })

  it("an embedded Replaces (RFC 3891 §5) is unescaped and removed from the target", () => {
    expect(parseReferTo(["<sip:carol@127.0.0.1?Replaces=abc%40h%3Bto-tag%3D1%3Bfrom-tag%3D2&Foo=bar>"])).toEqual({
      target: "sip:carol@127.0.0.1",
      replaces: "abc@h;to-tag=1;from-tag=2"
    })
  })

  it("missing, repeated or malformed: 400; a scheme we cannot call: 416", () => {
    expect(parseReferTo([])).toMatchObject({ status: 400, reason: "Missing Refer-To" })
    expect(parseReferTo(["<sip:a@h>", "<sip:b@h>"])).toMatchObject({ status: 400 })
    expect(parseReferTo(["<sip:a@h"])).toMatchObject({ status: 400 })
    expect(parseReferTo(["<sip:a@h?Replaces=%ZZ>"])).toMatchObject({ status: 400 })
    expect(parseReferTo(["<http://example.com/>"])).toMatchObject({ status: 416 })
  })
})

describe("message/sipfrag (RFC 3420)", () => {
  it("a status line round-trips; a body without one has no status", () => {
    expect(Buffer.from(sipfrag(100, "Trying")).toString()).toBe("SIP/2.0 100 Trying\r\n")
    expect(sipfragStatus(sipfrag(486, "Busy Here"))).toBe(486)
    expect(sipfragStatus(Buffer.from("SIP/2.0 200 OK\r\nContent-Length: 0\r\n\r\n"))).toBe(200)
    expect(sipfragStatus(Buffer.from("INVITE sip:a@h SIP/2.0\r\n"))).toBeUndefined()
    expect(sipfragStatus(new Uint8Array(0))).toBeUndefined()
  })

  it("Event: refer, with or without id; other packages are not ours", () => {
    expect([isReferEvent("refer"), isReferEvent("refer;id=7"), isReferEvent(" Refer ")]).toEqual([true, true, true])
    expect([isReferEvent("presence"), isReferEvent("referral"), isReferEvent(undefined)]).toEqual([false, false, false])
  })

  it("how a new call that was not answered is reported", () => {
    expect(endStatus({ _tag: "Rejected", status: 486, reason: "Busy Here" })).toEqual({ status: 486, reason: "Busy Here" })
    expect(endStatus({ _tag: "TimedOut", what: "ring" }).status).toBe(487)
    expect(endStatus({ _tag: "TimedOut", what: "transaction" }).status).toBe(408)
    expect(endStatus({ _tag: "Failed", message: "transport error" }).status).toBe(503)
  })
})

describe("Replaces (RFC 3891 §3)", () => {
  const invite = request("INVITE", [["Call-ID", "call-1@h"], ["From", "<sip:a@h>;tag=theirs"], ["To", "<sip:us@h>"], ["CSeq", "1 INVITE"], ["Contact", "<sip:a@127.0.0.1:5070>"]])
  const storeWith = (state: "early" | "confirmed", role: "uas" | "uac") => {
    const store = new DialogStore()
    const dialog = { ...uasDialog(invite, "ours", here, here), state, role }
    store.dialogs.set(dialog.id, dialog)
    return store
  }
  const replacing = (value: string, ...more: Array<string>) =>
    request("INVITE", [["Replaces", value], ...more.map((v) => ["Replaces", v] as const)])

  it("parses call-id, to-tag, from-tag and early-only", () => {
    expect(parseReplaces("call-1@h;to-tag=ours;from-tag=theirs")).toEqual({ callId: "call-1@h", toTag: "ours", fromTag: "theirs", earlyOnly: false })
    expect(parseReplaces("c; from-tag=b ;to-tag=a;early-only")).toEqual({ callId: "c", toTag: "a", fromTag: "b", earlyOnly: true })
    expect(parseReplaces("c;to-tag=a")).toBeUndefined()
    expect(parseReplaces(";to-tag=a;from-tag=b")).toBeUndefined()
  })

  it("to-tag is our local tag, from-tag the remote one: a confirmed dialog matches its leg", () => {
    const store = storeWith("confirmed", "uas")
    expect(matchReplaces(store, replacing("call-1@h;to-tag=ours;from-tag=theirs"))).toEqual({ _tag: "Leg", legId: "call-1@h;ours;theirs" })
    expect(matchReplaces(store, replacing("call-1@h;to-tag=theirs;from-tag=ours"))).toMatchObject({ status: 481 })
    expect(matchReplaces(store, request("INVITE", []))).toEqual({ _tag: "None" })
  })

  it("early-only on a confirmed dialog: 486; an early dialog we did not initiate: 481; ours early: matched", () => {
    const value = "call-1@h;to-tag=ours;from-tag=theirs"
    expect(matchReplaces(storeWith("confirmed", "uas"), replacing(`${value};early-only`))).toMatchObject({ status: 486 })
    expect(matchReplaces(storeWith("early", "uas"), replacing(value))).toMatchObject({ status: 481 })
    expect(matchReplaces(storeWith("early", "uac"), replacing(`${value};early-only`))).toMatchObject({ _tag: "Leg" })
  })

  it("two Replaces or one without its tags: 400", () => {
    const store = storeWith("confirmed", "uas")
    expect(matchReplaces(store, replacing("a;to-tag=1;from-tag=2", "b;to-tag=1;from-tag=2"))).toMatchObject({ status: 400 })
    expect(matchReplaces(store, replacing("call-1@h"))).toMatchObject({ status: 400 })
  })

  it("the URI for an attended transfer's Refer-To names the dialog from the peer's side, escaped", () => {
    const dialog = uasDialog(invite, "ours", here, here)
    const uri = replacingUri(dialog)
    expect(uri).toBe("sip:a@127.0.0.1:5070?Replaces=call-1%40h%3Bto-tag%3Dtheirs%3Bfrom-tag%3Dours")
    expect(parseReferTo([`<${uri}>`])).toEqual({ target: "sip:a@127.0.0.1:5070", replaces: "call-1@h;to-tag=theirs;from-tag=ours" })
  })
})
