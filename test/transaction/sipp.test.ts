import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import * as Path from "node:path"
import { drained, eventually, liveParty, ringingTu } from "./support-live.ts"
import { runSipp } from "../support/run-process.ts"

const fixture = (name: string) => Path.join(import.meta.dirname, "fixtures", name)


const timers = { t1: 50, t2: 400, t4: 200 }

describe("interop with SIPp as the UAC", () => {
  it.live("SIPp sends 20 OPTIONS over UDP: one RequestReceived each, every one answered 200, the server drains", () =>
    Effect.gen(function*() {
      const server = yield* liveParty(["udp"], timers, ringingTu)
      const port = server.local[0].port
      const result = yield* runSipp(
        [`127.0.0.1:${port}`, "-sf", fixture("options-uac.xml"), "-m", "20", "-r", "50", "-i", "127.0.0.1", "-timeout", "15s", "-timeout_error", "-nostdin"],
        25_000
      )
      expect(result.code, result.output).toBe(0)
      expect(server.seen.filter((e) => e._tag === "RequestReceived").length).toBe(20)
      expect(yield* eventually(drained(server.layer), 8000)).toBe(true)
    }))

  it.live("SIPp sends 10 OPTIONS over TCP (-t t1): each answered 200 back over its connection (§18.2.2); Timer J is 0 so the server drains at once", () =>
    Effect.gen(function*() {
      const server = yield* liveParty(["tcp"], timers, ringingTu)
      const port = server.local[0].port
      const result = yield* runSipp(
        [`127.0.0.1:${port}`, "-sf", fixture("options-uac.xml"), "-t", "t1", "-m", "10", "-r", "20", "-i", "127.0.0.1", "-timeout", "15s", "-timeout_error", "-nostdin"],
        25_000
      )
      expect(result.code, result.output).toBe(0)
      expect(server.seen.filter((e) => e._tag === "RequestReceived").length).toBe(10)
      expect(yield* eventually(drained(server.layer), 2000)).toBe(true)
    }))

  it.live("SIPp sends INVITE, gets 180, CANCELs: the layer answers CANCEL 200, the TU 487, SIPp's ACK is absorbed (5 calls)", () =>
    Effect.gen(function*() {
      const server = yield* liveParty(["udp"], timers, ringingTu)
      const port = server.local[0].port
      const result = yield* runSipp(
        [`127.0.0.1:${port}`, "-sf", fixture("invite-cancel-uac.xml"), "-m", "5", "-r", "10", "-i", "127.0.0.1", "-timeout", "15s", "-timeout_error", "-nostdin"],
        25_000
      )
      expect(result.code, result.output).toBe(0)
      const tags = server.seen.map((e) => e._tag)
      expect(tags.filter((t) => t === "RequestReceived").length).toBe(5)
      expect(tags.filter((t) => t === "CancelReceived").length).toBe(5)
      // The ACKs for the 487s matched their INVITE transactions: none reached the TU.
      expect(tags.filter((t) => t === "AckReceived").length).toBe(0)
      expect(yield* eventually(drained(server.layer), 8000)).toBe(true)
    }))
})
