/**
 * A small authoritative DNS server on 127.0.0.1 for tests (RFC 1035 over UDP): it answers A, AAAA, SRV
 * (RFC 2782) and NAPTR (RFC 3403) questions from a table, NXDOMAIN for any other name, and counts queries.
 */
import * as Dgram from "node:dgram"
import { Effect, type Scope } from "effect"

export type DnsRecord =
  | { readonly type: "A"; readonly address: string }
  | { readonly type: "AAAA"; readonly address: string }
  | { readonly type: "SRV"; readonly priority: number; readonly weight: number; readonly port: number; readonly target: string }
  | {
    readonly type: "NAPTR"
    readonly order: number
    readonly preference: number
    readonly flags: string
    readonly service: string
    readonly replacement: string
  }

const TYPES = { A: 1, AAAA: 28, SRV: 33, NAPTR: 35 } as const

const name = (value: string): Buffer =>
  Buffer.concat([...value.split(".").filter((l) => l.length > 0).map((l) => Buffer.concat([Buffer.from([l.length]), Buffer.from(l)])), Buffer.from([0])])

const text = (value: string): Buffer => Buffer.concat([Buffer.from([value.length]), Buffer.from(value)])

const u16 = (...values: ReadonlyArray<number>): Buffer => {
  const out = Buffer.alloc(2 * values.length)
  values.forEach((v, i) => out.writeUInt16BE(v, 2 * i))
  return out
}

const ipv6 = (address: string): Buffer => {
  const [head, tail] = address.split("::")
  const parts = (s: string | undefined) => (s === undefined || s === "" ? [] : s.split(":").map((p) => parseInt(p, 16)))
  const h = parts(head)
  const t = parts(tail)
  return u16(...h, ...new Array(8 - h.length - t.length).fill(0), ...t)
}

const rdata = (record: DnsRecord): Buffer => {
  switch (record.type) {
    case "A":
      return Buffer.from(record.address.split(".").map(Number))
    case "AAAA":
      return ipv6(record.address)
    case "SRV":
      return Buffer.concat([u16(record.priority, record.weight, record.port), name(record.target)])
    case "NAPTR":
      return Buffer.concat([
        u16(record.order, record.preference), text(record.flags), text(record.service), text(""), name(record.replacement)
      ])
  }
}

/** Reads the question name at offset 12; returns it and the offset after it. */
const question = (msg: Buffer): { readonly qname: string; readonly end: number } => {
  const labels: Array<string> = []
  let at = 12
  while (msg[at] !== 0) {
    labels.push(msg.subarray(at + 1, at + 1 + msg[at]).toString())
    at += 1 + msg[at]
  }
  return { qname: labels.join(".").toLowerCase(), end: at + 1 }
}

export interface TestDns {
  readonly server: string
  readonly queries: Array<string>
}

export const testDns = (zone: Record<string, ReadonlyArray<DnsRecord>>): Effect.Effect<TestDns, never, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.promise(() =>
      new Promise<{ socket: Dgram.Socket; queries: Array<string> }>((resolve) => {
        const socket = Dgram.createSocket("udp4")
        const queries: Array<string> = []
        socket.on("message", (msg, from) => {
          const { end, qname } = question(msg)
          const qtype = msg.readUInt16BE(end)
          const typeName = Object.entries(TYPES).find(([, v]) => v === qtype)?.[0]
          queries.push(`${typeName ?? qtype} ${qname}`)
          const known = zone[qname]
          const answers = (known ?? []).filter((r) => TYPES[r.type] === qtype)
          const header = u16(msg.readUInt16BE(0), known === undefined ? 0x8403 : 0x8400, 1, answers.length, 0, 0)
          const body = answers.map((r) => {
            const data = rdata(r)
            return Buffer.concat([name(qname), u16(qtype, 1), Buffer.from([0, 0, 0, 60]), u16(data.length), data])
          })
          socket.send(Buffer.concat([header, msg.subarray(12, end + 4), ...body]), from.port, from.address)
        })
        socket.bind(0, "127.0.0.1", () => resolve({ socket, queries }))
      })
    ),
    ({ socket }) => Effect.sync(() => socket.close())
  ).pipe(Effect.map(({ queries, socket }) => ({ server: `127.0.0.1:${socket.address().port}`, queries })))
