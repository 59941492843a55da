import { describe, expect, it } from "@effect/vitest"
import { Effect } from "effect"
import { makeDnsLookup } from "../../src/net/dns-lookup.ts"
import { locate } from "../../src/net/locate.ts"
import { srvOrder } from "../../src/net/srv-order.ts"
import { makeRequest, newBranch } from "../../src/sip/index.ts"
import { makeTransport } from "../../src/transport/live.ts"
import { collectInbound } from "../transport/support.ts"
import { testDns } from "./dns-server.ts"

const zone = {
  // NAPTR prefers TCP (order 10) over UDP (order 20); TLS is offered too.
  "example.test": [
    { type: "NAPTR", order: 20, preference: 10, flags: "s", service: "SIP+D2U", replacement: "_sip._udp.example.test" },
    { type: "NAPTR", order: 10, preference: 10, flags: "s", service: "SIP+D2T", replacement: "_sip._tcp.example.test" },
    { type: "NAPTR", order: 30, preference: 10, flags: "s", service: "SIPS+D2T", replacement: "_sips._tcp.example.test" }
  ],
  "_sip._tcp.example.test": [
    { type: "SRV", priority: 20, weight: 0, port: 5070, target: "backup.example.test" },
    { type: "SRV", priority: 10, weight: 0, port: 5080, target: "primary.example.test" }
  ],
  "_sip._udp.example.test": [{ type: "SRV", priority: 10, weight: 0, port: 5090, target: "primary.example.test" }],
  "_sips._tcp.example.test": [{ type: "SRV", priority: 10, weight: 0, port: 5061, target: "primary.example.test" }],
  "primary.example.test": [{ type: "A", address: "127.0.0.2" }, { type: "AAAA", address: "::1" }],
  "backup.example.test": [{ type: "A", address: "127.0.0.3" }],
  // No NAPTR here: SRV per transport we speak.
  "srvonly.test": [],
  "_sip._udp.srvonly.test": [{ type: "SRV", priority: 1, weight: 0, port: 6000, target: "backup.example.test" }],
  "plain.test": [{ type: "A", address: "127.0.0.4" }]
} as const

const setup = Effect.gen(function*() {
  const dns = yield* testDns(zone)
  return { dns, lookup: makeDnsLookup({ servers: [dns.server], timeoutMs: 500 }) }
})

describe("RFC 3263 server location against a DNS server on 127.0.0.1", () => {
  it.live("§4.1 NAPTR → SRV → A/AAAA: NAPTR order, then SRV priority; only transports we have open", () =>
    Effect.gen(function*() {
      const { lookup } = yield* setup
      const all = yield* locate("sip:bob@example.test", { dns: lookup, transports: ["udp", "tcp"] })
      expect(all).toEqual([
        { transport: "tcp", host: "127.0.0.2", port: 5080 },
        { transport: "tcp", host: "::1", port: 5080 },
        { transport: "tcp", host: "127.0.0.3", port: 5070 },
        { transport: "udp", host: "127.0.0.2", port: 5090 },
        { transport: "udp", host: "::1", port: 5090 }
      ])
      const udpOnly = yield* locate("sip:bob@example.test", { dns: lookup, transports: ["udp"] })
      expect(udpOnly.map((t) => `${t.transport} ${t.host}:${t.port}`)).toEqual(["udp 127.0.0.2:5090", "udp ::1:5090"])
    }))

  it.live("sips: uses only SIPS+D2T (TLS); with no TLS open the name resolves to nothing we may use", () =>
    Effect.gen(function*() {
      const { lookup } = yield* setup
      const secure = yield* locate("sips:bob@example.test", { dns: lookup, transports: ["udp", "tcp", "tls"] })
      expect(secure.every((t) => t.transport === "tls" && t.port === 5061)).toBe(true)
      // Not NAPTR-usable and no TLS: the A/AAAA fallback keeps TLS, never TCP (the send then refuses it).
      const fallback = yield* locate("sips:bob@example.test", { dns: lookup, transports: ["udp", "tcp"] })
      expect(fallback.every((t) => t.transport === "tls")).toBe(true)
    }))

  it.live("no NAPTR: SRV for each transport; no SRV: A with UDP 5060; an explicit port or transport skips steps", () =>
    Effect.gen(function*() {
      const { dns, lookup } = yield* setup
      const opts = { dns: lookup, transports: ["udp", "tcp"] as const }
      expect(yield* locate("sip:bob@srvonly.test", opts)).toEqual([{ transport: "udp", host: "127.0.0.3", port: 6000 }])
      expect(yield* locate("sip:bob@plain.test", opts)).toEqual([{ transport: "udp", host: "127.0.0.4", port: 5060 }])
      dns.queries.length = 0
      expect(yield* locate("sip:bob@plain.test:5099;transport=tcp", opts)).toEqual([{ transport: "tcp", host: "127.0.0.4", port: 5099 }])
      // §4.2: an explicit port means A/AAAA only (and those answers are cached from before).
      expect(dns.queries.filter((q) => q.startsWith("NAPTR") || q.startsWith("SRV"))).toEqual([])
      expect(yield* locate("sip:bob@example.test;transport=tcp", opts)).toEqual([
        { transport: "tcp", host: "127.0.0.2", port: 5080 },
        { transport: "tcp", host: "::1", port: 5080 },
        { transport: "tcp", host: "127.0.0.3", port: 5070 }
      ])
      expect(yield* locate("sip:bob@127.0.0.9", opts)).toEqual([{ transport: "udp", host: "127.0.0.9", port: 5060 }])
    }))

  it.live("an unknown name is a NetworkError NameNotResolved; answers are cached (one question per name and type)", () =>
    Effect.gen(function*() {
      const { dns, lookup } = yield* setup
      const error = yield* Effect.flip(locate("sip:bob@nowhere.test", { dns: lookup, transports: ["udp"] }))
      expect(error).toMatchObject({ _tag: "NetworkError", refusal: "NameNotResolved" })
      dns.queries.length = 0
      yield* locate("sip:bob@example.test", { dns: lookup, transports: ["udp", "tcp"] })
      const first = dns.queries.length
      yield* locate("sip:bob@example.test", { dns: lookup, transports: ["udp", "tcp"] })
      expect(first).toBeGreaterThan(0)
      expect(dns.queries.length).toBe(first)
    }))
})

describe("RFC 2782 SRV order", () => {
  const r = (priority: number, weight: number, name: string) => ({ priority, weight, port: 5060, name })
  it("lowest priority first; within a priority the draw follows the weights", () => {
    const records = [r(2, 0, "late"), r(1, 10, "light"), r(1, 90, "heavy")]
    expect(srvOrder(records, () => 0.99).map((x) => x.name)).toEqual(["heavy", "light", "late"])
    expect(srvOrder(records, () => 0).map((x) => x.name)).toEqual(["light", "heavy", "late"])
    let heavyFirst = 0
    for (let i = 0; i < 1000; i++) if (srvOrder(records)[0].name === "heavy") heavyFirst++
    expect(heavyFirst).toBeGreaterThan(800)
  })
})

describe("host names on the UDP transport", () => {
  it.live("a datagram to a name goes to its A address; a name with none fails NameNotResolved", () =>
    Effect.gen(function*() {
      const receiver = yield* makeTransport({ host: "127.0.0.1", port: 0, transports: ["udp"] })
      const dns = yield* testDns({ "peer.test": [{ type: "A", address: "127.0.0.1" }] })
      const sender = yield* makeTransport({ host: "127.0.0.1", port: 0, transports: ["udp"], dns: { servers: [dns.server] } })
      const inbound = yield* collectInbound(receiver)
      const request = makeRequest({
        method: "OPTIONS",
        uri: "sip:peer.test",
        headers: [["Via", `SIP/2.0/UDP 127.0.0.1:${sender.local[0].port};branch=${newBranch()}`], ["From", "<sip:a@b>;tag=1"],
          ["To", "<sip:peer.test>"], ["Call-ID", "by-name"], ["CSeq", "1 OPTIONS"], ["Max-Forwards", "70"]]
      })
      yield* sender.send(request, { transport: "udp", host: "peer.test", port: receiver.local[0].port })
      expect((yield* inbound.next()).source).toEqual({ transport: "udp", host: "127.0.0.1", port: sender.local[0].port })
      const error = yield* Effect.flip(sender.send(request, { transport: "udp", host: "nowhere.test", port: 5060 }))
      expect(error).toMatchObject({ _tag: "NetworkError", refusal: "NameNotResolved" })
    }))
})
