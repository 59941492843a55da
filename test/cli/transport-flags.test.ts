import { describe, expect, it } from "vitest"
import { FlagError, parseTransports, type ServerFlags, toServerConfig } from "../../src/cli/server-flags.ts"

const defaults: ServerFlags = {
  host: "0.0.0.0",
  port: 5060,
  transport: "udp",
  advertise: { _tag: "None" },
  rtpPorts: "10000-20000",
  mode: "answer",
  rejectCode: 486,
  answerDelay: 0,
  media: "echo",
  codecs: "PCMU,PCMA",
  maxCalls: 1000,
  overloadThreshold: 98,
  gc: "atomic"
}

describe("--transport and --tls-* flags", () => {
  it("--transport is a comma-separated set of udp, tcp, tls; anything else names the flag", () => {
    expect(parseTransports("udp, TLS,udp", "--transport")).toEqual(["udp", "tls"])
    expect(() => parseTransports("udp,sctp", "--transport")).toThrow(/--transport: unknown sctp/)
    expect(() => parseTransports("", "--transport")).toThrow(FlagError)
  })

  it("tls needs --tls-cert and --tls-key; --tls-port defaults to 5061 and --tls-ca is passed through", () => {
    expect(() => toServerConfig({ ...defaults, transport: "udp,tls" })).toThrow(/--tls-cert and --tls-key/)
    const config = toServerConfig({
      ...defaults,
      transport: "udp,tls",
      tlsCert: { _tag: "Some", value: "/c.pem" },
      tlsKey: { _tag: "Some", value: "/k.pem" },
      tlsCa: { _tag: "Some", value: "/ca.pem" }
    })
    expect(config.transports).toEqual(["udp", "tls"])
    expect(config.tls).toEqual({ port: 5061, certFile: "/c.pem", keyFile: "/k.pem", caFile: "/ca.pem" })
    expect(toServerConfig(defaults).tls).toBeUndefined()
    expect(toServerConfig({
      ...defaults, transport: "tls", tlsCert: { _tag: "Some", value: "/c.pem" }, tlsKey: { _tag: "Some", value: "/k.pem" }, tlsVerifyClients: true
    }).tls).toEqual({ port: 5061, certFile: "/c.pem", keyFile: "/k.pem", requireClientCertificate: true })
  })

  it("ws listens on --ws-port (default 5066), wss on --wss-port (default 7443) with the TLS certificate", () => {
    expect(toServerConfig({ ...defaults, transport: "udp,ws" }).ws).toEqual({ port: 5066, securePort: 7443 })
    expect(toServerConfig({ ...defaults, transport: "ws", wsPort: 59066 }).ws).toEqual({ port: 59066, securePort: 7443 })
    expect(() => toServerConfig({ ...defaults, transport: "wss" })).toThrow(/--transport wss: needs --tls-cert/)
  })
})
