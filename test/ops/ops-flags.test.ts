/**
 * The operations flags: off without --http-port, loopback by default, a token required beyond loopback,
 * and values we cannot use refused with a FlagError naming the flag.
 */
import { describe, expect, it } from "@effect/vitest"
import { Option, Redacted } from "effect"
import { type OpsFlags, toOpsConfig } from "../../src/cli/ops-flags.ts"
import { isLoopback } from "../../src/ops/ops-config.ts"

const flags = (over: Partial<OpsFlags> = {}): OpsFlags => ({
  httpPort: Option.none(), httpHost: "127.0.0.1", httpToken: Option.none(), drainSeconds: 0, httpConsole: "on", otlpEndpoint: Option.none(), cdr: false, cdrDatabase: Option.none(), ...over
})

describe("toOpsConfig", () => {
  it("no listener without --http-port", () => {
    expect(toOpsConfig(flags())).toBeUndefined()
  })

  it("loopback needs no token", () => {
    expect(toOpsConfig(flags({ httpPort: Option.some(9090) }))).toEqual({ host: "127.0.0.1", port: 9090 })
  })

  it("beyond loopback without a token: refused, naming the flag", () => {
    expect(() => toOpsConfig(flags({ httpPort: Option.some(9090), httpHost: "0.0.0.0" }))).toThrow(/--http-token/)
  })

  it("beyond loopback with a token: kept redacted", () => {
    const config = toOpsConfig(flags({ httpPort: Option.some(9090), httpHost: "0.0.0.0", httpToken: Option.some(Redacted.make("t")) }))
    expect(config?.token === undefined ? undefined : Redacted.value(config.token)).toBe("t")
    expect(String(config?.token)).not.toContain("t\"")
  })

  it("a port out of range or a negative drain: refused", () => {
    expect(() => toOpsConfig(flags({ httpPort: Option.some(70000) }))).toThrow(/--http-port/)
    expect(() => toOpsConfig(flags({ drainSeconds: -1 }))).toThrow(/--drain-seconds/)
  })

  it("what counts as loopback", () => {
    expect(["127.0.0.1", "127.1.2.3", "::1", "localhost"].every(isLoopback)).toBe(true)
    expect(["0.0.0.0", "::", "10.0.0.1", "128.0.0.1"].some(isLoopback)).toBe(false)
  })
})
