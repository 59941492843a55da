/**
 * HEP v3 capture. The encoder's packets, decoded by an independent implementation (the hep-js package
 * Homer's own tools use), carry the addresses, ports, time, SIP protocol type, capture id, auth key,
 * Call-ID correlation and the message; and the real CLI with `--hep` sends a collector every message of a
 * SIPp call, in order, each correlated by its Call-ID.
 */
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import hep from "hep-js"
import * as Dgram from "node:dgram"
import * as Path from "node:path"
import { scanCallId } from "../../src/capture/call-id-scan.ts"
import { encodeHep } from "../../src/capture/hep.ts"
import { parseCollector } from "../../src/capture/hep-sender.ts"
import { freePorts } from "../api/sipp-ports.ts"
import { freePort, type RunningExample, startScript } from "../support/example-process.ts"
import { runProcess, sippPath } from "../support/run-process.ts"

const root = Path.resolve(import.meta.dirname, "../..")
const invite = "INVITE sip:bob@127.0.0.1 SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:5062;branch=z9hG4bK1\r\ni: abc@host\r\nCSeq: 1 INVITE\r\nContent-Length: 0\r\n\r\n"
const bytes = new TextEncoder().encode(invite)

describe("encodeHep", () => {
  it("an IPv4 message, as hep-js decodes it", () => {
    const packet = encodeHep({
      direction: "in", bytes, atMs: 1_700_000_000_123,
      local: { transport: "udp", host: "127.0.0.1", port: 5060 }, remote: { transport: "udp", host: "10.1.2.3", port: 5062 }
    }, "abc@host", { captureId: 2001, authKey: "k" })
    expect(packet.subarray(0, 4).toString()).toBe("HEP3")
    expect(packet.readUInt16BE(4)).toBe(packet.length)
    const decoded = hep.decapsulate(packet)
    expect(decoded).not.toBe(false)
    if (decoded === false) return
    expect(decoded.rcinfo).toMatchObject({
      protocolFamily: 2, protocol: 17, srcIp: "10.1.2.3", dstIp: "127.0.0.1", srcPort: 5062, dstPort: 5060,
      timeSeconds: 1_700_000_000, timeUseconds: 123_000, payloadType: 1, captureId: 2001, capturePass: "k",
      correlation_id: "abc@host"
    })
    expect(decoded.payload).toBe(invite)
  })

  it("IPv6 addresses in chunks 5 and 6, TCP as protocol 6", () => {
    const packet = encodeHep({
      direction: "out", bytes, atMs: 0,
      local: { transport: "tcp", host: "::1", port: 5060 }, remote: { transport: "tcp", host: "2001:db8::7", port: 5070 }
    }, undefined, { captureId: 1 })
    const chunks = new Map<number, Buffer>()
    for (let at = 6; at < packet.length;) {
      const length = packet.readUInt16BE(at + 4)
      chunks.set(packet.readUInt16BE(at + 2), packet.subarray(at + 6, at + length))
      at += length
    }
    expect(chunks.get(0x01)?.readUInt8()).toBe(10)
    expect(chunks.get(0x02)?.readUInt8()).toBe(6)
    expect(chunks.get(0x05)?.toString("hex")).toBe("00000000000000000000000000000001")
    expect(chunks.get(0x06)?.toString("hex")).toBe("20010db8000000000000000000000007")
    expect(chunks.has(0x11)).toBe(false)
  })

  it("scanCallId: long and compact forms, none", () => {
    expect(scanCallId(bytes)).toBe("abc@host")
    expect(scanCallId(new TextEncoder().encode("OPTIONS sip:x SIP/2.0\r\nCALL-ID:  q1 \r\n\r\nCall-ID: body"))).toBe("q1")
    expect(scanCallId(new TextEncoder().encode("OPTIONS sip:x SIP/2.0\r\n\r\n"))).toBeUndefined()
  })

  it("parseCollector", () => {
    expect(parseCollector("127.0.0.1:9060")).toEqual({ host: "127.0.0.1", port: 9060 })
    expect(parseCollector("[::1]:9060")).toEqual({ host: "::1", port: 9060 })
    expect(parseCollector("homer")).toBeUndefined()
    expect(parseCollector("h:0")).toBeUndefined()
  })
})

describe("--hep through the CLI", () => {
  let collector: Dgram.Socket
  let server: RunningExample
  let sipPort: number
  const received: Array<{ readonly rcinfo: Record<string, string | number>; readonly payload: string }> = []

  beforeAll(async () => {
    collector = Dgram.createSocket("udp4")
    collector.on("message", (packet) => {
      const decoded = hep.decapsulate(packet)
      if (decoded !== false) received.push(decoded)
    })
    await new Promise<void>((resolve) => collector.bind(0, "127.0.0.1", resolve))
    sipPort = await freePort()
    const rtp = 40000 + 2 * Math.floor(Math.random() * 400)
    server = await startScript([
      "src/main.ts", "--gc", "incremental", "--host", "127.0.0.1", "--port", String(sipPort), "--rtp-ports", `${rtp}-${rtp + 19}`,
      "--media", "silence", "--hep", `127.0.0.1:${collector.address().port}`, "--hep-id", "77"
    ], "listening on")
  })

  afterAll(async () => {
    expect(await server.stop()).not.toBe("hung")
    collector.close()
  })

  it("every message of a SIPp call reaches the collector, in order, correlated by Call-ID", async () => {
    const [local, media] = freePorts(2)
    const sipp = await runProcess(sippPath, [
      `127.0.0.1:${sipPort}`, "-sf", Path.join(root, "sipp", "basic_call.xml"), "-m", "1", "-i", "127.0.0.1",
      "-p", String(local), "-mp", String(media), "-nostdin", "-timeout", "30s", "-timeout_error"
    ], 45_000)
    expect(sipp.code, sipp.output).toBe(0)
    const deadline = Date.now() + 5000
    while (received.length < 5 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50))
    const firstLines = received.map((m) => m.payload.split("\r\n")[0])
    expect(firstLines.filter((l) => /^(INVITE|ACK|BYE) /.test(l)).map((l) => l.split(" ")[0])).toEqual(["INVITE", "ACK", "BYE"])
    expect(firstLines.filter((l) => l.startsWith("SIP/2.0 200"))).toHaveLength(2)
    const callIds = new Set(received.map((m) => m.rcinfo.correlation_id))
    expect(callIds.size).toBe(1)
    expect([...callIds][0]).toMatch(/@127\.0\.0\.1$/)
    const inviteIn = received.find((m) => m.payload.startsWith("INVITE"))!
    expect(inviteIn.rcinfo).toMatchObject({ srcPort: local, dstPort: sipPort, captureId: 77, payloadType: 1, protocol: 17 })
    const okOut = received.find((m) => m.payload.startsWith("SIP/2.0 200"))!
    expect(okOut.rcinfo).toMatchObject({ srcPort: sipPort, dstPort: local })
  }, 60_000)
})
