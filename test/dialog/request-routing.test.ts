/**
 * The pure routing rules of in-dialog requests (RFC 3261 §12.2.1.1, §8.1.2, §19.1.1): Request-URI,
 * Route headers and the first hop for empty, loose and strict route sets.
 */
import { describe, expect, it } from "@effect/vitest"
import type { Dialog } from "../../src/dialog/dialog-state.ts"
import { endpointOf, routeRequest } from "../../src/dialog/request-routing.ts"

const peer = { transport: "udp", host: "192.0.2.1", port: 5099 } as const

const dialog = (remoteTarget: string, routeSet: ReadonlyArray<string>): Dialog => ({
  id: "c;l;r",
  callId: "c",
  localTag: "l",
  remoteTag: "r",
  role: "uac",
  state: "confirmed",
  localParty: "<sip:a@x>;tag=l",
  remoteParty: "<sip:b@y>;tag=r",
  remoteTarget,
  routeSet,
  localSeq: 1,
  remoteSeq: undefined,
  secure: false,
  transport: "udp",
  local: { transport: "udp", host: "127.0.0.1", port: 5060 },
  peer,
  invite: "none",
  awaitingAck: undefined,
  lastAck: undefined,
  authenticator: undefined
})

describe("in-dialog request routing", () => {
  it("§12.2.1.1: empty route set → the remote target is Request-URI and first hop", () => {
    expect(routeRequest(dialog("sip:bob@10.0.0.5:5070", []))).toEqual({
      requestUri: "sip:bob@10.0.0.5:5070",
      routes: [],
      destination: { transport: "udp", host: "10.0.0.5", port: 5070 }
    })
  })

  it("§12.2.1.1: loose first route → Request-URI stays the target, the whole set goes in Route", () => {
    const routes = ["<sip:p1.example.com;lr>", "<sip:p2.example.com;lr>"]
    expect(routeRequest(dialog("sip:bob@10.0.0.5", routes))).toEqual({
      requestUri: "sip:bob@10.0.0.5",
      routes,
      destination: { transport: "udp", host: "p1.example.com", port: 5060 }
    })
  })

  it("§12.2.1.1: strict first route → it becomes the Request-URI (no method param); the target goes last", () => {
    const routed = routeRequest(dialog("sip:bob@10.0.0.5", ["<sip:strict.example.com;method=INVITE>", "<sip:p2.example.com;lr>"]))
    expect(routed.requestUri).toBe("sip:strict.example.com")
    expect(routed.routes).toEqual(["<sip:p2.example.com;lr>", "<sip:bob@10.0.0.5>"])
    expect(routed.destination).toEqual({ transport: "udp", host: "strict.example.com", port: 5060 })
  })

  it("§8.1.2/§19.1.1: maddr wins over the host, sips defaults to 5061, transport=tcp, IPv6 without brackets", () => {
    expect(endpointOf("sip:bob@example.com;maddr=10.1.1.1", peer)).toEqual({ transport: "udp", host: "10.1.1.1", port: 5060 })
    expect(endpointOf("sips:bob@10.0.0.5", peer)).toEqual({ transport: "tls", host: "10.0.0.5", port: 5061 })
    expect(endpointOf("sip:bob@10.0.0.5:6000;transport=TCP", peer)).toEqual({ transport: "tcp", host: "10.0.0.5", port: 6000 })
    expect(endpointOf("sip:bob@[2001:db8::1]:5062", peer)).toEqual({ transport: "udp", host: "2001:db8::1", port: 5062 })
    expect(endpointOf("not a uri", peer)).toEqual(peer)
  })
})
