import { describe, expect, it } from "@effect/vitest"
import { isParseError, parseVia, type Via } from "../../src/sip/index.ts"
import { requestDestination, responseDestination } from "../../src/net/destination.ts"
import type { Endpoint } from "../../src/transport/transport.ts"

const via = (value: string): Via => {
  const parsed = parseVia(value)
  if (isParseError(parsed)) throw parsed
  return parsed
}
const udpSource: Endpoint = { transport: "udp", host: "198.51.100.9", port: 40000 }
const tcpSource: Endpoint = { transport: "tcp", host: "198.51.100.9", port: 40001 }

describe("responseDestination (§18.2.2, RFC 3581 §4)", () => {
  it("reliable transport: back to the connection the request came on", () => {
    expect(responseDestination(via("SIP/2.0/TCP client.example.com:5070;branch=z9hG4bK1"), tcpSource)).toEqual(tcpSource)
  })
  it("maddr: to the multicast address, sent-by port", () => {
    expect(responseDestination(via("SIP/2.0/UDP client.example.com:5070;branch=z9hG4bK1;maddr=239.1.1.1"), udpSource))
      .toEqual({ transport: "udp", host: "239.1.1.1", port: 5070 })
  })
  it("received + rport: to the source address and port", () => {
    expect(responseDestination(via("SIP/2.0/UDP 10.0.0.1:5070;branch=z9hG4bK1;rport=40000;received=198.51.100.9"), udpSource))
      .toEqual({ transport: "udp", host: "198.51.100.9", port: 40000 })
  })
  it("received without rport: to the received address, sent-by port", () => {
    expect(responseDestination(via("SIP/2.0/UDP 10.0.0.1:5070;branch=z9hG4bK1;received=198.51.100.9"), udpSource))
      .toEqual({ transport: "udp", host: "198.51.100.9", port: 5070 })
  })
  it("the source itself, not a copy, when received/rport name it (transactions keep it 32 s)", () => {
    const source: Endpoint = { transport: "udp", host: "198.51.100.9", port: 40000 }
    expect(responseDestination(via("SIP/2.0/UDP 10.0.0.1:5070;branch=z9hG4bK1;rport=40000;received=198.51.100.9"), source))
      .toBe(source)
    expect(responseDestination(via("SIP/2.0/UDP 198.51.100.9:40000;branch=z9hG4bK1"), source)).toBe(source)
    expect(responseDestination(via("SIP/2.0/UDP 10.0.0.1:5070;branch=z9hG4bK1;received=198.51.100.9"), source))
      .not.toBe(source)
  })
  it("neither: to sent-by, port defaulting to 5060", () => {
    expect(responseDestination(via("SIP/2.0/UDP 198.51.100.9;branch=z9hG4bK1"), udpSource))
      .toEqual({ transport: "udp", host: "198.51.100.9", port: 5060 })
  })
})

describe("requestDestination (§19.1.1, RFC 3263 without DNS)", () => {
  it("host and explicit port, UDP by default", () => {
    expect(requestDestination("sip:bob@192.0.2.4:5080")).toEqual({ transport: "udp", host: "192.0.2.4", port: 5080 })
  })
  it("port defaults to 5060; transport=tcp picks TCP; localhost is 127.0.0.1", () => {
    expect(requestDestination("sip:bob@localhost;transport=tcp")).toEqual({ transport: "tcp", host: "127.0.0.1", port: 5060 })
  })
  it("maddr overrides the host", () => {
    expect(requestDestination("sip:bob@example.com:5062;maddr=192.0.2.8")).toEqual({ transport: "udp", host: "192.0.2.8", port: 5062 })
  })
  it("sips: is TLS (never plain TCP) and defaults to 5061; transport=tls picks TLS", () => {
    expect(requestDestination("sips:bob@192.0.2.4")).toEqual({ transport: "tls", host: "192.0.2.4", port: 5061 })
    expect(requestDestination("sips:bob@192.0.2.4;transport=tcp")).toEqual({ transport: "tls", host: "192.0.2.4", port: 5061 })
    expect(requestDestination("sip:bob@192.0.2.4;transport=tls")).toEqual({ transport: "tls", host: "192.0.2.4", port: 5060 })
  })
  it("an unparseable URI is a ParseError value", () => {
    expect(isParseError(requestDestination("not a uri"))).toBe(true)
  })
})
