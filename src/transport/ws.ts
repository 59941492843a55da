/**
 * SIP over WebSocket (RFC 7118), server side: clients (browsers) connect to us with the subprotocol "sip";
 * each WebSocket message is one SIP message (§5), so there is no stream framing and Content-Length is
 * optional. Responses and in-dialog requests go back over the connection the client opened: by its
 * remote "host:port", or by the `.invalid` host it wrote in its Via/Contact (§5, a WebSocket client has
 * no reachable address). Idle connections are found by ping/pong, and one source may hold only so many.
 */
import * as NodeSocketServer from "@effect/platform-node/NodeSocketServer"
import type * as NodeWS from "@effect/platform-node/NodeWS"
import type * as Https from "node:https"
import { Effect, Option, Queue } from "effect"
import { Socket } from "effect/socket"
import { NetworkError } from "../errors.ts"
import { getHeader } from "../sip/index.ts"
import { isRequest } from "../sip/message.ts"
import type { ResolvedTransportConfig } from "./config.ts"
import type { Counters } from "./counters.ts"
import { bindFailed, type Listener } from "./listener.ts"
import { receive } from "./receive.ts"
import { errorCode } from "./stream-listener.ts"
import { endpointKey } from "./tcp-connection.ts"
import type { Endpoint, Inbound } from "./transport.ts"

const encoder = new TextEncoder()
const decoder = new TextDecoder()

/** The `.invalid` sent-by host of a WebSocket client's Via (RFC 7118 §5), lower-cased. */
const INVALID_HOST = /^SIP\/2\.0\/WSS?\s+([^\s;:]+\.invalid)\b/i

const plainHost = (host: string | undefined): string =>
  host === undefined ? "unknown" : host.startsWith("::ffff:") && host.includes(".") ? host.slice(7) : host

const wantsSip = (header: string | Array<string> | undefined): boolean =>
  header !== undefined && String(header).split(",").some((p) => p.trim().toLowerCase() === "sip")

type Write = (bytes: Uint8Array) => Effect.Effect<void, NetworkError>

export const makeWsListener = Effect.fnUntraced(function*(
  kind: "ws" | "wss",
  config: ResolvedTransportConfig,
  port: number,
  queue: Queue.Queue<Inbound>,
  counters: Counters,
  /** For wss: the listening HTTPS server carrying our certificate. */
  https?: Https.Server
) {
  const address = `${config.host}:${port}`
  const perSource = new Map<string, number>()
  const connections = new Map<string, Write>()
  const aliases = new Map<string, string>()
  const others = counters.openConnections
  counters.openConnections = () => others() + connections.size

  const server = yield* NodeSocketServer.makeWebSocket({
    ...(https === undefined ? { host: config.host, port } : { server: https }),
    maxPayload: config.maxMessageSize,
    // §4: the handshake must ask for "sip"; refuse it otherwise, and refuse a source over its limit.
    handleProtocols: (protocols) => (protocols.has("sip") ? "sip" : false),
    verifyClient: (info: { req: { headers: Record<string, string | Array<string> | undefined>; socket: { remoteAddress?: string } } }) =>
      wantsSip(info.req.headers["sec-websocket-protocol"]) &&
      (perSource.get(plainHost(info.req.socket.remoteAddress)) ?? 0) < config.ws.maxConnectionsPerSource
  }).pipe(
    Effect.mapError((error) => bindFailed(address, errorCode(error.reason.cause) === "EADDRINUSE" ? "AddressInUse" : "Unknown", error))
  )
  const boundPort = server.address._tag === "UnixPathAddress" ? port : server.address.port
  const local: Endpoint = { transport: kind, host: config.advertisedHost, port: boundPort }

  const serve = (socket: Socket.Socket) =>
    Effect.gen(function*() {
      // The server provides each handler with the upgrade request and the raw `ws` socket.
      const request = Option.getOrUndefined(yield* Effect.serviceOption(NodeSocketServer.IncomingMessage))
      const ws = Option.getOrUndefined(yield* Effect.serviceOption(Socket.WebSocket)) as NodeWS.WebSocket | undefined
      if (request === undefined || ws === undefined) return
      const remote: Endpoint = { transport: kind, host: plainHost(request.socket.remoteAddress), port: request.socket.remotePort ?? 0 }
      const key = endpointKey(remote)
      const ownAliases: Array<string> = []
      perSource.set(remote.host, (perSource.get(remote.host) ?? 0) + 1)
      yield* Effect.addFinalizer(() =>
        Effect.sync(() => {
          const left = (perSource.get(remote.host) ?? 1) - 1
          if (left === 0) perSource.delete(remote.host)
          else perSource.set(remote.host, left)
          connections.delete(key)
          for (const alias of ownAliases) if (aliases.get(alias) === key) aliases.delete(alias)
        })
      )
      const reader = yield* socket.reader
      const writer = yield* socket.writer
      // One SIP message per text frame (§5); text because SIP is UTF-8 and every browser stack reads it.
      const write: Write = (bytes) =>
        writer.write(decoder.decode(bytes)).pipe(
          Effect.mapError((cause) => new NetworkError({ reason: "SendFailed", address: key, message: cause.message, cause }))
        )
      connections.set(key, write)

      let alive = true
      ws.on("pong", () => {
        alive = true
      })
      yield* Effect.gen(function*() {
        while (true) {
          yield* Effect.sleep(config.ws.pingIntervalMs)
          if (!alive) return ws.terminate()
          alive = false
          ws.ping()
        }
      }).pipe(Effect.forkScoped)

      const handle = Effect.fnUntraced(function*(bytes: Uint8Array) {
        const verdict = receive(bytes, remote, local, false, config.maxMessageSize)
        if (verdict._tag === "Malformed") {
          counters.malformed++
          if (verdict.answer !== undefined) yield* write(verdict.answer).pipe(Effect.ignore)
          return
        }
        if (verdict._tag === "KeepAlive") return
        const message = verdict.inbound.message
        if (isRequest(message)) {
          const host = INVALID_HOST.exec(getHeader(message, "via") ?? "")?.[1]?.toLowerCase()
          if (host !== undefined && aliases.get(host) !== key) {
            aliases.set(host, key)
            ownAliases.push(host)
          }
        }
        counters.received++
        yield* Queue.offer(queue, verdict.inbound)
      })

      while (true) {
        const chunks = yield* reader.pull
        alive = true
        for (const chunk of chunks) yield* handle(typeof chunk === "string" ? encoder.encode(chunk) : chunk)
      }
    }).pipe(Effect.scoped, Effect.ignore)

  yield* server.run(serve).pipe(Effect.forkScoped)

  const send = Effect.fnUntraced(function*(bytes: Uint8Array, destination: Endpoint) {
    const key = endpointKey(destination)
    const alias = destination.host.toLowerCase().endsWith(".invalid") ? aliases.get(destination.host.toLowerCase()) : undefined
    const write = connections.get(key) ?? (alias === undefined ? undefined : connections.get(alias))
    if (write === undefined) {
      // We never dial: a WebSocket peer reaches us, and is gone once its connection is.
      return yield* new NetworkError({ reason: "ConnectionLost", address: key, message: `no ${kind} connection to ${key}` })
    }
    yield* write(bytes)
  })

  return { local, port: boundPort, send } satisfies Listener
})
