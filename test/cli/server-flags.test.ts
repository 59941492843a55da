import { describe, expect, it } from "vitest"
import { FlagError, type ServerFlags, toServerConfig } from "../../src/cli/server-flags.ts"

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

describe("server flags → ServerConfig", () => {
  it("--overload-threshold is a percent of event-loop busy time; 0 turns protection off", () => {
    expect(toServerConfig(defaults).overload).toEqual({ maxUtilization: 0.98, windowMs: 500, retryAfterSeconds: 2 })
    expect(toServerConfig({ ...defaults, overloadThreshold: 0 }).overload?.maxUtilization).toBe(0)
    expect(toServerConfig({ ...defaults, overloadThreshold: 100 }).overload?.maxUtilization).toBe(1)
  })

  it("an --overload-threshold outside 0-100 is a FlagError naming the flag", () => {
    for (const overloadThreshold of [-1, 101]) {
      expect(() => toServerConfig({ ...defaults, overloadThreshold })).toThrow(FlagError)
      expect(() => toServerConfig({ ...defaults, overloadThreshold })).toThrow(/--overload-threshold/)
    }
  })

  it("other bad values name their flag too", () => {
    expect(() => toServerConfig({ ...defaults, rtpPorts: "5-3" })).toThrow(/--rtp-ports/)
    expect(() => toServerConfig({ ...defaults, codecs: "OPUS" })).toThrow(/--codecs: unknown OPUS/)
    // No G.722 encoder: a G.722-only caller must get 488, never an answer with no audio.
    expect(() => toServerConfig({ ...defaults, codecs: "PCMU,G722" })).toThrow(/--codecs: unknown G722; known: PCMU, PCMA/)
    expect(() => toServerConfig({ ...defaults, maxCalls: 0 })).toThrow(/--max-calls/)
  })
})
