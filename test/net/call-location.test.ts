/**
 * Calls placed to a host name go through RFC 3263 against a DNS server on 127.0.0.1: NAPTR prefers TCP,
 * whose only target refuses the connection (transport error); then UDP, whose first SRV target answers 503
 * and whose second answers the call (§4.3 failover); a target that never answers is left after Timer B.
 * An IP literal asks no DNS; a name with no address ends the call as failed.
 */
import { describe, expect, it } from "@effect/vitest"
import { Context, Effect, Layer, Stream } from "effect"
import * as Dgram from "node:dgram"
import * as Net from "node:net"
import { CallDecision, SessionCoordinator, type SessionEvent, SipStack, type SipStackConfig } from "../../src/index.ts"
import { waitForEvent } from "../support/wait-for-event.ts"
import { type DnsRecord, testDns } from "./dns-server.ts"

const rtpBase = 58100 + 2 * Math.floor(Math.random() * 100)
const timers = { t1: 50, t2: 400, t4: 500 }

const stack = (rtpMin: number, extra: Partial<SipStackConfig>) =>
  Layer.build(SipStack.layer({
    host: "127.0.0.1", port: 0, rtpPortMin: rtpMin, rtpPortMax: rtpMin + 19, mediaTimeoutMs: 0, timers,
    handler: () => Effect.succeed(CallDecision.accept({ media: { _tag: "Echo" } })),
    ...extra
  }))

// A TCP port nobody listens on: bound, then closed.
const closedPort = Effect.promise(() =>
  new Promise<number>((resolve) => {
    const server = Net.createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as Net.AddressInfo
      server.close(() => resolve(port))
    })
  })
)

const collect = (coordinator: SessionCoordinator["Service"]) =>
  Effect.gen(function*() {
    const events: Array<SessionEvent> = []
    yield* Stream.runForEach(yield* coordinator.subscribe, (e) => Effect.sync(() => void events.push(e))).pipe(Effect.forkScoped)
    return events
  })

describe("calls placed to a host name (RFC 3263)", () => {
  it.live("NAPTR → SRV → A; failover past a refused connection, a 503 and a timeout to the target that answers", () =>
    Effect.gen(function*() {
      const out = yield* stack(rtpBase, { handler: () => Effect.succeed(CallDecision.reject(503)) })
      const busy = Context.get(out, SipStack).local[0].port
      const refusedHere = yield* collect(Context.get(out, SessionCoordinator))
      const good = yield* stack(rtpBase + 20, {})
      const goodPort = Context.get(good, SipStack).local[0].port
      const answered = yield* collect(Context.get(good, SessionCoordinator))
      const refused = yield* closedPort
      const silent = yield* Effect.acquireRelease(
        Effect.promise(() => new Promise<Dgram.Socket>((resolve) => {
          const socket = Dgram.createSocket("udp4")
          socket.bind(0, "127.0.0.1", () => resolve(socket))
        })),
        (socket) => Effect.sync(() => socket.close())
      )
      let heardBySilent = 0
      silent.on("message", () => void heardBySilent++)
      const zone: Record<string, ReadonlyArray<DnsRecord>> = {
        "pbx.test": [
          { type: "NAPTR", order: 10, preference: 1, flags: "s", service: "SIP+D2T", replacement: "_sip._tcp.pbx.test" },
          { type: "NAPTR", order: 20, preference: 1, flags: "s", service: "SIP+D2U", replacement: "_sip._udp.pbx.test" }
        ],
        "_sip._tcp.pbx.test": [{ type: "SRV", priority: 1, weight: 0, port: refused, target: "host.pbx.test" }],
        "_sip._udp.pbx.test": [
          { type: "SRV", priority: 1, weight: 0, port: busy, target: "host.pbx.test" },
          { type: "SRV", priority: 2, weight: 0, port: goodPort, target: "host.pbx.test" }
        ],
        "host.pbx.test": [{ type: "A", address: "127.0.0.1" }],
        // A first UDP target that takes the INVITE and never answers: Timer B, then the next.
        "mute.test": [],
        "_sip._udp.mute.test": [
          { type: "SRV", priority: 1, weight: 0, port: silent.address().port, target: "host.pbx.test" },
          { type: "SRV", priority: 2, weight: 0, port: goodPort, target: "host.pbx.test" }
        ]
      }
      const dns = yield* testDns(zone)
      const client = Context.get(
        yield* stack(rtpBase + 40, { transports: ["udp", "tcp"], dns: { servers: [dns.server], timeoutMs: 500 } }),
        SessionCoordinator
      )
      const events = yield* collect(client)

      const id = yield* client.call({ target: "sip:echo@pbx.test" })
      yield* waitForEvent(events, (e) => e._tag === "StateChanged" && e.sessionId === id && e.to === "Active")
      expect(refusedHere.filter((e) => e._tag === "IncomingCall")).toHaveLength(1)
      expect(answered.filter((e) => e._tag === "IncomingCall")).toHaveLength(1)
      expect(dns.queries).toEqual(expect.arrayContaining(["NAPTR pbx.test", "SRV _sip._tcp.pbx.test", "SRV _sip._udp.pbx.test"]))
      yield* client.end(id)
      yield* waitForEvent(answered, (e) => e._tag === "CallEnded")

      // Timer B (64*T1 = 3.2 s here) on the first target: the call goes on to the next.
      const late = yield* client.call({ target: "sip:echo@mute.test" })
      yield* waitForEvent(events, (e) => e._tag === "StateChanged" && e.sessionId === late && e.to === "Active", 10_000)
      expect(heardBySilent).toBeGreaterThan(1)
      expect(answered.filter((e) => e._tag === "IncomingCall")).toHaveLength(2)
      yield* client.end(late)

      // An IP literal: no DNS at all.
      dns.queries.length = 0
      const direct = yield* client.call({ target: `sip:echo@127.0.0.1:${goodPort}` })
      yield* waitForEvent(events, (e) => e._tag === "StateChanged" && e.sessionId === direct && e.to === "Active")
      expect(dns.queries).toEqual([])
      yield* client.end(direct)

      // A name with no address: the call fails, typed, without hanging.
      const nowhere = yield* client.call({ target: "sip:echo@nowhere.test" })
      const failed = yield* waitForEvent(events, (e) => e._tag === "CallEnded" && e.sessionId === nowhere)
      expect(failed).toMatchObject({ reason: { _tag: "Failed" } })
      expect(JSON.stringify(failed)).toContain("no address for nowhere.test")
    }).pipe(Effect.scoped))
})
