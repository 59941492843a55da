/**
 * One TCP connection (§18.3 framing): reads, frames with `StreamFramer`, hands messages up, closes on
 * idle, on a framing error or an oversize message, and when the peer goes away.
 */
import { Clock, Effect, Option, Queue } from "effect"
import type { Socket } from "effect/socket"
import { NetworkError } from "../errors.ts"
import { isParseError, StreamFramer } from "../sip/index.ts"
import type { ResolvedTransportConfig } from "./config.ts"
import type { Counters } from "./counters.ts"
import { receive } from "./receive.ts"
import type { Endpoint, Inbound } from "./transport.ts"

export interface Connection {
  readonly key: string
  readonly remote: Endpoint
  readonly write: (bytes: Uint8Array) => Effect.Effect<void, NetworkError>
}

export interface ConnectionDeps {
  readonly config: ResolvedTransportConfig
  readonly local: Endpoint
  readonly queue: Queue.Queue<Inbound>
  readonly counters: Counters
  /** Sees each message that goes up, with the connection's key (RFC 5923 aliases). */
  readonly onMessage?: (message: Inbound["message"], key: string) => void
}

export const endpointKey = (endpoint: Endpoint): string => `${endpoint.host}:${endpoint.port}`

const PONG = new Uint8Array([13, 10])
const encoder = new TextEncoder()

/** RFC 5626 §4.4.1: a double-CRLF "ping" on a stream is answered with a single CRLF "pong". */
const isPing = (chunk: Uint8Array): boolean =>
  chunk.length === 4 && chunk[0] === 13 && chunk[1] === 10 && chunk[2] === 13 && chunk[3] === 10

/**
 * Acquires the socket's reader and writer in the current Scope (for an outbound socket this dials),
 * calls `onOpen` with the live connection, then reads until the connection ends. Succeeds when the
 * connection ends for any reason (peer close, idle, protocol violation); fails only if it never opened.
 */
export const runConnection = Effect.fnUntraced(function*(
  socket: Socket.Socket,
  remote: Endpoint,
  deps: ConnectionDeps,
  onOpen: (connection: Connection) => Effect.Effect<void>
) {
  const { config, counters, local, queue } = deps
  const key = endpointKey(remote)
  const reader = yield* socket.reader
  const writer = yield* socket.writer
  let lastActivity = yield* Clock.currentTimeMillis
  let closed = false

  const write = Effect.fnUntraced(function*(bytes: Uint8Array) {
    // The Node writer waits for a *next* connection once this one is gone: fail fast instead.
    if (closed) return yield* new NetworkError({ reason: "ConnectionLost", address: key })
    lastActivity = yield* Clock.currentTimeMillis
    yield* writer.write(bytes).pipe(
      Effect.mapError((cause) => new NetworkError({ reason: "SendFailed", address: key, message: cause.message, cause }))
    )
  })
  yield* onOpen({ key, remote, write })

  const framer = new StreamFramer({ maxMessageSize: config.maxMessageSize })
  const idleMs = config.tcpIdleTimeoutMs

  /** Handles one chunk; returns a reason to close the connection, or undefined to keep reading. */
  const handleChunk = Effect.fnUntraced(function*(chunk: Uint8Array) {
    if (isPing(chunk)) yield* writer.write(PONG).pipe(Effect.ignore)
    const up: Array<Inbound> = []
    let closeReason: string | undefined
    for (const frame of framer.push(chunk)) {
      if (isParseError(frame)) {
        // §18.3: a stream whose framing is lost cannot be resynchronised; close it.
        counters.malformed++
        if (/too large|exceeds|max/i.test(frame.message)) counters.oversize++
        closeReason = frame.message
        break
      }
      const verdict = receive(frame, remote, local, true, config.maxMessageSize)
      if (verdict._tag === "Message") {
        up.push(verdict.inbound)
        deps.onMessage?.(verdict.inbound.message, key)
      } else if (verdict._tag === "Malformed") {
        counters.malformed++
        yield* Effect.logDebug(`malformed SIP message on TCP from ${key}: ${verdict.problem}`)
        if (verdict.answer !== undefined) yield* writer.write(verdict.answer).pipe(Effect.ignore)
        if (verdict.tooLarge) {
          counters.oversize++
          closeReason = verdict.problem
          break
        }
      }
    }
    if (up.length > 0) {
      counters.received += up.length
      yield* Queue.offerAll(queue, up)
    }
    return closeReason
  })

  const readLoop = Effect.gen(function*() {
    while (true) {
      const remaining = lastActivity + idleMs - (yield* Clock.currentTimeMillis)
      if (remaining <= 0) return `idle for ${idleMs} ms`
      const chunks = yield* Effect.timeoutOption(reader.pull, remaining)
      if (Option.isNone(chunks)) continue
      lastActivity = yield* Clock.currentTimeMillis
      for (const chunk of chunks.value) {
        const reason = yield* handleChunk(typeof chunk === "string" ? encoder.encode(chunk) : chunk)
        if (reason !== undefined) return reason
      }
    }
  })

  const why = yield* readLoop.pipe(
    // Every end of a socket reader is a SocketError, a clean close included: the connection is lost.
    Effect.catch((error) => Effect.succeed(`connection lost: ${error.message}`))
  )
  closed = true
  yield* Effect.logDebug(`TCP connection ${key} closed: ${why}`)
})
