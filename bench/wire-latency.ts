/**
 * INVITE -> 200 latency as the wire saw it: a pcap of the server's SIP port (tcpdump on lo, microsecond
 * timestamps) paired by Call-ID. Why: SIPp's response times here come in whole 4 ms ticks (its clock is
 * the kernel's coarse one), too coarse for a latency aim of a few milliseconds.
 *
 *   node bench/wire-latency.ts FILE.pcap SERVER_PORT   ->   "n=… p50_ms=… p90_ms=… p99_ms=… max_ms=…"
 */
import { readFileSync } from "node:fs"

const [file, portText] = process.argv.slice(2)
const port = Number(portText)
const data = readFileSync(file!)
const nanos = data.readUInt32LE(0) === 0xa1b23c4d
const linkHeader = ({ 1: 14, 113: 16 } as Record<number, number>)[data.readUInt32LE(20)] ?? 0

const invites = new Map<string, number>()
const latencies: Array<number> = []
const field = (text: string, name: RegExp) => name.exec(text)?.[1]?.trim()

for (let offset = 24; offset + 16 <= data.length;) {
  const seconds = data.readUInt32LE(offset)
  const fraction = data.readUInt32LE(offset + 4)
  const length = data.readUInt32LE(offset + 8)
  const packet = data.subarray(offset + 16, offset + 16 + length)
  offset += 16 + length
  const at = seconds + fraction / (nanos ? 1e9 : 1e6)
  const ip = packet.subarray(linkHeader)
  if (ip.length < 28 || ip[0] >> 4 !== 4) continue
  const udp = ip.subarray((ip[0] & 15) * 4)
  const source = udp.readUInt16BE(0)
  const destination = udp.readUInt16BE(2)
  const text = udp.subarray(8).toString("latin1")
  if (field(text, /\r\nCSeq:\s*\d+\s+(\w+)/i) !== "INVITE") continue
  const callId = field(text, /\r\n(?:Call-ID|i):\s*([^\r]+)/i)
  if (callId === undefined) continue
  if (destination === port && text.startsWith("INVITE ")) {
    if (!invites.has(callId)) invites.set(callId, at) // a retransmission keeps the first send
  } else if (source === port && text.startsWith("SIP/2.0 200")) {
    const sent = invites.get(callId)
    if (sent !== undefined) {
      latencies.push((at - sent) * 1000)
      invites.delete(callId)
    }
  }
}

latencies.sort((a, b) => a - b)
const at = (p: number) => latencies.length === 0 ? NaN : latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))]!
const ms = (v: number) => (Number.isNaN(v) ? "NA" : v.toFixed(2))
console.log(`n=${latencies.length} p50_ms=${ms(at(50))} p90_ms=${ms(at(90))} p99_ms=${ms(at(99))} max_ms=${ms(at(100))}`)
