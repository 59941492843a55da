/**
 * Raw Node sockets for poking the Transport from outside, the way a misbehaving peer would.
 */
import { type Duration, Effect, Queue, Stream } from "effect"
import type { Inbound, Transport } from "../../src/transport/transport.ts"
import * as Dgram from "node:dgram"
import * as Net from "node:net"

/** Waits (bounded) until `check` returns a value. */
const poll = <A>(check: () => A | undefined, timeoutMs: number): Promise<A | undefined> =>
  new Promise((resolve) => {
    const started = Date.now()
    const tick = () => {
      const value = check()
      if (value !== undefined) return resolve(value)
      if (Date.now() - started >= timeoutMs) return resolve(undefined)
      setTimeout(tick, 5)
    }
    tick()
  })

export interface RawUdp {
  readonly port: number
  readonly send: (text: string | Uint8Array, port: number) => Effect.Effect<void>
  /** Next datagram as text, or undefined after `timeoutMs`. */
  readonly receive: (timeoutMs: number) => Effect.Effect<string | undefined>
}

export const rawUdp: Effect.Effect<RawUdp, never, import("effect").Scope.Scope> = Effect.acquireRelease(
  Effect.promise(() =>
    new Promise<Dgram.Socket>((resolve) => {
      const socket = Dgram.createSocket("udp4")
      socket.bind(0, "127.0.0.1", () => resolve(socket))
    })
  ),
  (socket) => Effect.sync(() => socket.close())
).pipe(Effect.map((socket): RawUdp => {
  const inbox: Array<string> = []
  socket.on("message", (msg) => inbox.push(msg.toString("utf8")))
  return {
    port: socket.address().port,
    send: (text, port) =>
      Effect.promise(() => new Promise<void>((resolve) => socket.send(text, port, "127.0.0.1", () => resolve()))),
    receive: (timeoutMs) => Effect.promise(() => poll(() => inbox.shift(), timeoutMs))
  }
}))

export interface RawTcp {
  readonly socket: Net.Socket
  readonly write: (text: string) => Effect.Effect<void>
  /** Waits until the bytes received so far contain `needle` (or match it); returns everything received. */
  readonly waitFor: (needle: string | RegExp, timeoutMs: number) => Effect.Effect<string | undefined>
  /** Resolves true once the server closed the connection, false after `timeoutMs`. */
  readonly closed: (timeoutMs: number) => Effect.Effect<boolean>
}

export const rawTcp = (port: number): Effect.Effect<RawTcp, never, import("effect").Scope.Scope> =>
  Effect.acquireRelease(
    Effect.promise(() =>
      new Promise<Net.Socket>((resolve, reject) => {
        const socket = Net.createConnection({ host: "127.0.0.1", port }, () => resolve(socket))
        socket.once("error", reject)
      })
    ),
    (socket) => Effect.sync(() => socket.destroy())
  ).pipe(Effect.map((socket): RawTcp => {
    let received = ""
    let isClosed = false
    socket.on("data", (chunk) => {
      received += chunk.toString("utf8")
    })
    socket.on("error", () => {})
    socket.on("close", () => {
      isClosed = true
    })
    return {
      socket,
      write: (text) => Effect.promise(() => new Promise<void>((resolve) => socket.write(text, () => resolve()))),
      waitFor: (needle, timeoutMs) =>
        Effect.promise(() =>
          poll(() => (typeof needle === "string" ? received.includes(needle) : needle.test(received)) ? received : undefined, timeoutMs)
        ),
      closed: (timeoutMs) =>
        Effect.promise(() => poll(() => (isClosed ? true : undefined), timeoutMs)).pipe(Effect.map((v) => v === true))
    }
  }))

/** A plain TCP listener on 127.0.0.1 that only counts the connections it accepts. */
export const rawTcpServer: Effect.Effect<{ readonly port: number; readonly accepted: () => number }, never, import("effect").Scope.Scope> =
  Effect.acquireRelease(
    Effect.promise(() =>
      new Promise<{ server: Net.Server; count: { n: number } }>((resolve) => {
        const count = { n: 0 }
        const server = Net.createServer((socket) => {
          count.n++
          socket.destroy()
        })
        server.listen(0, "127.0.0.1", () => resolve({ server, count }))
      })
    ),
    ({ server }) => Effect.sync(() => server.close())
  ).pipe(Effect.map(({ count, server }) => ({
    port: (server.address() as Net.AddressInfo).port,
    accepted: () => count.n
  })))

/** A raw OPTIONS request as a peer would send it. */
export const rawOptions = (options: {
  readonly transport: "UDP" | "TCP"
  readonly viaHost: string
  readonly viaPort: number
  readonly rport?: boolean
  readonly branch?: string
  readonly callId?: string
  readonly extraHeaders?: ReadonlyArray<string>
  readonly body?: string
  readonly contentLength?: number
}): string => {
  const body = options.body ?? ""
  return [
    `OPTIONS sip:responder@127.0.0.1 SIP/2.0`,
    `Via: SIP/2.0/${options.transport} ${options.viaHost}:${options.viaPort};branch=${options.branch ?? "z9hG4bK-raw-1"}${
      options.rport === true ? ";rport" : ""
    }`,
    `Max-Forwards: 70`,
    `From: <sip:tester@127.0.0.1>;tag=raw-from`,
    `To: <sip:responder@127.0.0.1>`,
    `Call-ID: ${options.callId ?? "raw-call-1@127.0.0.1"}`,
    `CSeq: 1 OPTIONS`,
    ...(options.extraHeaders ?? []),
    `Content-Length: ${options.contentLength ?? new TextEncoder().encode(body).length}`,
    ``,
    body
  ].join("\r\n")
}

/** Drains a Transport's single-consumer inbound stream into a queue the test can take from, one by one. */
export const collectInbound = (transport: Transport["Service"]) =>
  Effect.gen(function*() {
    const queue = yield* Queue.unbounded<Inbound>()
    yield* Stream.runForEach(transport.inbound, (inbound) => Queue.offer(queue, inbound)).pipe(Effect.forkScoped)
    return {
      /** The next inbound message; fails the test (defect) after `timeout`. */
      next: (timeout: Duration.Input = "3 seconds") => Queue.take(queue).pipe(Effect.timeout(timeout), Effect.orDie),
      size: Queue.size(queue)
    }
  })
