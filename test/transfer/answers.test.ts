/**
 * How the coordinator answers REFER and NOTIFY (RFC 3515, RFC 4488), on the scripted dialog layer: Refer-To
 * unusable → 400/416, no handler → 603, a failing handler → 500, accepted → 202 then NOTIFY 100 Trying in the
 * dialog (none with `Refer-Sub: false`, whose 202 says so), a REFER or NOTIFY for an unknown leg → 481, a
 * NOTIFY of another package → 489, one without a sipfrag status → 400, a good one → 200 and TransferProgress.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import type { DialogEvent } from "../../src/dialog/dialog-layer.ts"
import { CallDecision } from "../../src/session/call-decision.ts"
import type { CoordinatorConfig } from "../../src/session/config.ts"
import { makeRequest } from "../../src/sip/index.ts"
import { ReferDecision } from "../../src/transfer/refer-decision.ts"
import { incoming, invite, sessionOf, settle, setup } from "../session/coordinator-support.ts"

const inDialog = (
  tag: "ReferReceived" | "NotifyReceived",
  requestId: string,
  headers: Array<[string, string]>,
  body = "",
  dialogId = "d1"
): DialogEvent => ({
  _tag: tag,
  dialogId,
  requestId,
  request: makeRequest({
    method: tag === "ReferReceived" ? "REFER" : "NOTIFY",
    uri: "sip:service@127.0.0.1:5060",
    headers: [
      ["Via", "SIP/2.0/UDP 10.0.0.9:5061;branch=z9hG4bK-r"],
      ["From", "<sip:alice@10.0.0.9>;tag=a1"],
      ["To", "<sip:service@127.0.0.1>;tag=b1"],
      ["Call-ID", "call-1@10.0.0.9"],
      ["CSeq", "5 " + (tag === "ReferReceived" ? "REFER" : "NOTIFY")],
      ...headers
    ],
    body: Buffer.from(body)
  })
})

const activeCall = (overrides: Partial<CoordinatorConfig> = {}) =>
  Effect.gen(function*() {
    const t = yield* setup(() => Effect.succeed(CallDecision.accept()), overrides)
    yield* t.emit(incoming())
    yield* t.emit({ _tag: "DialogConfirmed", dialogId: "d1", ack: invite(undefined) })
    return { ...t, id: sessionOf(t.seen) }
  })

const responses = (intents: ReadonlyArray<{ op: string; id: string; status?: number }>, id: string) =>
  intents.flatMap((i) => i.op === "respond" && i.id === id ? [i.status] : [])

describe("REFER received", () => {
  it.effect("Refer-To missing → 400, another scheme → 416, no ReferHandler → 603; the call goes on", () =>
    Effect.gen(function*() {
      const t = yield* activeCall()
      yield* t.emit(inDialog("ReferReceived", "r1", []))
      yield* t.emit(inDialog("ReferReceived", "r2", [["Refer-To", "<mailto:bob@example.com>"]]))
      yield* t.emit(inDialog("ReferReceived", "r3", [["Refer-To", "<sip:bob@127.0.0.1:5099>"]]))
      yield* settle
      expect([responses(t.control.intents, "r1"), responses(t.control.intents, "r2"), responses(t.control.intents, "r3")])
        .toEqual([[400], [416], [603]])
      expect(yield* t.coordinator.state(t.id)).toBe("Active")
    }))

  it.effect("a ReferHandler that fails → 500; one that rejects with 403 → 403", () =>
    Effect.gen(function*() {
      let calls = 0
      const t = yield* activeCall({
        referHandler: () => ++calls === 1 ? Effect.die("boom") : Effect.succeed(ReferDecision.reject(403, "Forbidden"))
      })
      yield* t.emit(inDialog("ReferReceived", "r1", [["Refer-To", "<sip:bob@127.0.0.1:5099>"]]))
      yield* t.emit(inDialog("ReferReceived", "r2", [["Refer-To", "<sip:bob@127.0.0.1:5099>"]]))
      yield* settle
      expect([responses(t.control.intents, "r1"), responses(t.control.intents, "r2")]).toEqual([[500], [403]])
    }))

  it.effect("accepted → 202, then NOTIFY (Event: refer;id=5, active, sipfrag 100 Trying) in the REFER's dialog", () =>
    Effect.gen(function*() {
      const t = yield* activeCall({ referHandler: () => Effect.succeed(ReferDecision.accept()) })
      yield* t.emit(inDialog("ReferReceived", "r1", [["Refer-To", "<sip:bob@127.0.0.1:5099>"]]))
      yield* settle
      expect(responses(t.control.intents, "r1")).toEqual([202])
      const notify = t.control.intents.find((i) => i.op === "request" && i.method === "NOTIFY")
      expect(notify).toMatchObject({ id: "d1", body: "SIP/2.0 100 Trying\r\n" })
      expect(notify?.headers).toEqual([["Event", "refer;id=5"], ["Subscription-State", "active;expires=60"]])
    }))

  it.effect("Refer-Sub: false (RFC 4488) → 202 with Refer-Sub: false and no NOTIFY", () =>
    Effect.gen(function*() {
      const t = yield* activeCall({ referHandler: () => Effect.succeed(ReferDecision.accept()) })
      yield* t.emit(inDialog("ReferReceived", "r1", [["Refer-To", "<sip:bob@127.0.0.1:5099>"], ["Refer-Sub", "false"]]))
      yield* settle
      const accepted = t.control.intents.find((i) => i.op === "respond" && i.id === "r1")
      expect(accepted).toMatchObject({ status: 202, headers: [["Refer-Sub", "false"]] })
      expect(t.control.intents.some((i) => i.method === "NOTIFY")).toBe(false)
    }))

  it.effect("a REFER or NOTIFY on a leg with no call → 481", () =>
    Effect.gen(function*() {
      const t = yield* activeCall()
      yield* t.emit(inDialog("ReferReceived", "r1", [["Refer-To", "<sip:bob@127.0.0.1>"]], "", "gone"))
      yield* t.emit(inDialog("NotifyReceived", "n1", [["Event", "refer"]], "SIP/2.0 200 OK\r\n", "gone"))
      expect([responses(t.control.intents, "r1"), responses(t.control.intents, "n1")]).toEqual([[481], [481]])
    }))
})

describe("NOTIFY received (the progress of our transfer)", () => {
  it.effect("Event: refer with a sipfrag → 200 and TransferProgress; another package → 489; no status line → 400", () =>
    Effect.gen(function*() {
      const t = yield* activeCall()
      const frag: Array<[string, string]> = [["Content-Type", "message/sipfrag;version=2.0"]]
      yield* t.emit(inDialog("NotifyReceived", "n1", [["Event", "refer;id=2"], ...frag], "SIP/2.0 180 Ringing\r\n"))
      yield* t.emit(inDialog("NotifyReceived", "n2", [["Event", "presence"], ...frag], "SIP/2.0 200 OK\r\n"))
      yield* t.emit(inDialog("NotifyReceived", "n3", [["Event", "refer"], ...frag], "garbage"))
      expect(["n1", "n2", "n3"].map((id) => responses(t.control.intents, id))).toEqual([[200], [489], [400]])
      expect(t.seen.filter((e) => e._tag === "TransferProgress")).toEqual([{ _tag: "TransferProgress", sessionId: t.id, status: 180 }])
    }))
})
