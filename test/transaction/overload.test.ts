import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { TestClock } from "effect/testing"
import type { SipRequest, SipResponse } from "../../src/sip/message.ts"
import { LoadProbe } from "../../src/transaction/admission.ts"
import type { OverloadConfig } from "../../src/transaction/config.ts"
import { makeFakeNetwork } from "../../src/transport/fake.ts"
import { ackFor, answerWith, header, party, rawPeer, request, settle, summary, tags } from "./support.ts"

const overload: OverloadConfig = { maxUtilization: 0.98, windowMs: 500, retryAfterSeconds: 2 }

/** Bob's layer with overload protection, its TU answering 200, its event loop as busy as `load.utilization`. */
const setup = (config = overload) =>
  Effect.gen(function*() {
    const load = { utilization: 0, probes: 0 }
    const probe = () => () => {
      load.probes++
      return load.utilization
    }
    const network = yield* makeFakeNetwork({ seed: 5 })
    const bob = yield* party(network, "10.0.0.2", 5060, { overload: config, tu: answerWith(200) }).pipe(
      Effect.provideService(LoadProbe, probe)
    )
    const alice = yield* rawPeer(network, "10.0.0.1", 5070)
    const dest = bob.local[0]
    const from = alice.local[0]
    /** One window of `utilization`, then `count` new INVITEs; their answers' statuses. */
    const window = (utilization: number, count = 1) =>
      Effect.gen(function*() {
        load.utilization = utilization
        yield* TestClock.adjust(config.windowMs)
        yield* settle
        yield* alice.inbox.takeAll // earlier 503s retransmitted by Timer G (these tests send no ACK)
        for (let i = 0; i < count; i++) yield* alice.send(request("INVITE", from, dest), dest)
        yield* settle
        return summary(yield* alice.inbox.takeAll)
      })
    return { alice, bob, dest, from, load, window }
  })

/** The same request as if within a dialog: its To carries a tag (§12.2). */
const inDialog = (req: SipRequest): SipRequest => ({
  ...req,
  headers: req.headers.map((h) => h.key === "to" ? { ...h, value: `${h.value};tag=bob-1` } : h)
})

describe("overload protection (RFC 3261 §21.5.4)", () => {
  it.effect("one saturated window is not overload; two in a row halve the new INVITEs admitted, spread evenly; calm windows admit a quarter more each, until all", () =>
    Effect.gen(function*() {
      const { bob, window } = yield* setup()
      // [200s, 503s] per window; 503s go out at once, 200s after the TU, so only the counts are compared.
      const counted = (statuses: ReadonlyArray<string | number>) => [200, 503].map((s) => statuses.filter((x) => x === s).length)
      expect(counted(yield* window(1, 4))).toEqual([4, 0])
      expect(counted(yield* window(0.5, 2))).toEqual([2, 0]) // a calm window ends the run
      expect(counted(yield* window(0.99, 4))).toEqual([4, 0])
      expect(counted(yield* window(0.99, 4))).toEqual([2, 2]) // 1/2
      expect(counted(yield* window(1, 4))).toEqual([1, 3]) // 1/4
      expect(yield* bob.layer.shedInvites).toBe(5)
      expect(counted(yield* window(0.5, 20))).toEqual([10, 10]) // 1/2
      expect(counted(yield* window(0.5, 20))).toEqual([15, 5]) // 3/4
      expect(counted(yield* window(0.5, 4))).toEqual([4, 0]) // all
      expect(yield* bob.layer.shedInvites).toBe(20)
      expect(tags(bob.events.seen).filter((t) => t === "RequestReceived").length).toBe(4 + 2 + 4 + 2 + 1 + 10 + 15 + 4)
    }))

  it.effect("it bottoms out at 1/16: one new INVITE in 16 is still admitted", () =>
    Effect.gen(function*() {
      const { window } = yield* setup()
      for (let i = 0; i < 6; i++) yield* window(1, 1)
      expect(yield* window(1, 32)).toEqual(expect.arrayContaining([200]))
      const statuses = yield* window(1, 32)
      expect([statuses.filter((s) => s === 200).length, statuses.filter((s) => s === 503).length]).toEqual([2, 30])
    }))

  it.effect("a shed INVITE's transaction answers its retransmission with the same 503 and Retry-After, absorbs its ACK, and ends", () =>
    Effect.gen(function*() {
      const { alice, bob, dest, from, load, window } = yield* setup()
      yield* window(1, 1) // saturated once: admitted
      load.utilization = 1
      yield* TestClock.adjust(500) // saturated twice: 1/2 admitted, and this one is the first of the pair
      const invite = request("INVITE", from, dest)
      yield* alice.send(invite, dest)
      yield* settle
      const [answer] = (yield* alice.inbox.takeAll).map((i) => i.message as SipResponse)
      expect(answer.status).toBe(503)
      const retryAfter = Number(header(answer, "retry-after"))
      expect(retryAfter).toBeGreaterThanOrEqual(2)
      expect(retryAfter).toBeLessThanOrEqual(4)
      expect(header(answer, "to")).toMatch(/;tag=/)
      yield* alice.send(invite, dest)
      yield* settle
      const [again] = (yield* alice.inbox.takeAll).map((i) => i.message as SipResponse)
      expect([again.status, header(again, "retry-after")]).toEqual([503, header(answer, "retry-after")])
      yield* alice.send(ackFor(invite, answer), dest)
      yield* settle
      expect(tags(bob.events.seen)).toEqual(["RequestReceived"]) // only the first window's INVITE
      yield* TestClock.adjust(32_000) // Timer I (T4) after the ACK; Timer L of the admitted one
      yield* settle
      expect(yield* bob.layer.counts).toEqual({ client: 0, server: 0 })
      expect(yield* bob.layer.shedInvites).toBe(1)
    }))

  it.effect("while shedding, requests that finish admitted work are never shed: in-dialog INVITE, BYE, OPTIONS", () =>
    Effect.gen(function*() {
      const { alice, bob, dest, from, window } = yield* setup()
      yield* window(1, 1)
      expect(yield* window(1, 2)).toEqual([503, 200]) // shedding half
      for (let i = 0; i < 4; i++) yield* alice.send(inDialog(request("INVITE", from, dest)), dest)
      yield* alice.send(inDialog(request("BYE", from, dest)), dest)
      yield* alice.send(request("OPTIONS", from, dest), dest)
      yield* settle
      expect(summary(yield* alice.inbox.takeAll)).toEqual([200, 200, 200, 200, 200, 200])
      expect(tags(bob.events.seen).length).toBe(2 + 6)
      expect(yield* bob.layer.shedInvites).toBe(1)
    }))

  it.effect("maxUtilization 0 turns it off: the load is never even sampled", () =>
    Effect.gen(function*() {
      const { bob, load, window } = yield* setup({ ...overload, maxUtilization: 0 })
      for (let i = 0; i < 4; i++) expect(yield* window(1, 2)).toEqual([200, 200])
      expect(load.probes).toBe(0)
      expect(yield* bob.layer.shedInvites).toBe(0)
    }))
})
