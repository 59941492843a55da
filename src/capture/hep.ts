/**
 * HEP v3 (the Homer encapsulation protocol): one captured SIP message as "HEP3", the total length, then
 * chunks of vendor 0 (type, length including their 6-byte header, value). Chunks written: IP family and
 * protocol, source and destination address and port, time (seconds and microseconds), protocol type 1
 * (SIP), capture agent id, optional auth key, the Call-ID as correlation id, and the payload.
 */
import { isIPv4 } from "node:net"
import type { CapturedMessage } from "../transport/message-tap.ts"
import type { Endpoint } from "../transport/transport.ts"

const IPV4 = 2
const IPV6 = 10
const PROTO_SIP = 1

const ipProtocol = (endpoint: Endpoint) => (endpoint.transport === "udp" ? 17 : 6)

const v4 = (host: string): Buffer => Buffer.from(host.split(".").map(Number))

const v6 = (host: string): Buffer => {
  const [head, tail = ""] = host.replace(/^\[|\]$/g, "").split("::")
  const groups = (s: string) => (s === "" ? [] : s.split(":"))
  const left = groups(head)
  const right = groups(tail)
  const all = [...left, ...Array(8 - left.length - right.length).fill("0"), ...right]
  const bytes = Buffer.alloc(16)
  all.forEach((group, i) => bytes.writeUInt16BE(parseInt(group, 16), 2 * i))
  return bytes
}

const chunk = (type: number, value: Buffer): Buffer => {
  const header = Buffer.alloc(6)
  header.writeUInt16BE(0, 0)
  header.writeUInt16BE(type, 2)
  header.writeUInt16BE(6 + value.length, 4)
  return Buffer.concat([header, value])
}
const u8 = (n: number) => Buffer.from([n])
const u16 = (n: number) => { const b = Buffer.alloc(2); b.writeUInt16BE(n); return b }
const u32 = (n: number) => { const b = Buffer.alloc(4); b.writeUInt32BE(n >>> 0); return b }

export interface HepOptions {
  readonly captureId: number
  readonly authKey?: string
}

/** The HEP3 packet for one captured message; `callId` (the correlation id) when known. */
export const encodeHep = (message: CapturedMessage, callId: string | undefined, options: HepOptions): Buffer => {
  const [source, destination] = message.direction === "out" ? [message.local, message.remote] : [message.remote, message.local]
  const family = isIPv4(source.host) && isIPv4(destination.host) ? IPV4 : IPV6
  const address = family === IPV4 ? v4 : v6
  const seconds = Math.floor(message.atMs / 1000)
  const chunks = [
    chunk(0x01, u8(family)),
    chunk(0x02, u8(ipProtocol(message.remote))),
    chunk(family === IPV4 ? 0x03 : 0x05, address(source.host)),
    chunk(family === IPV4 ? 0x04 : 0x06, address(destination.host)),
    chunk(0x07, u16(source.port)),
    chunk(0x08, u16(destination.port)),
    chunk(0x09, u32(seconds)),
    chunk(0x0a, u32((message.atMs - seconds * 1000) * 1000)),
    chunk(0x0b, u8(PROTO_SIP)),
    chunk(0x0c, u32(options.captureId)),
    ...(options.authKey === undefined ? [] : [chunk(0x0e, Buffer.from(options.authKey))]),
    ...(callId === undefined ? [] : [chunk(0x11, Buffer.from(callId))]),
    chunk(0x0f, Buffer.from(message.bytes.buffer, message.bytes.byteOffset, message.bytes.byteLength))
  ]
  const body = Buffer.concat(chunks)
  const header = Buffer.alloc(6)
  header.write("HEP3", 0, "ascii")
  header.writeUInt16BE(6 + body.length, 4)
  return Buffer.concat([header, body])
}
