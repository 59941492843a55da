/**
 * A stream listener and its connection pool (§18.1.1, §18.2.2, §18.3), shared by TCP and TLS: accepts
 * connections, dials new ones, and keeps every open connection in a map keyed by the remote "host:port" so
 * that responses go back over the connection their request came on and later messages to a peer reuse it.
 * TCP and TLS differ only in how the server socket is made and how a connection is dialled (tcp.ts, tls.ts).
 */
import * as NodeSocket from "@effect/platform-node/NodeSocket"
import { Cause, Deferred, Effect, Exit, Option, type Queue, type Scope } from "effect"
import type { Socket, SocketServer } from "effect/socket"
import { NetworkError } from "../errors.ts"
import type { ResolvedTransportConfig } from "./config.ts"
import type { Counters } from "./counters.ts"
import { type Connection, type ConnectionDeps, endpointKey, runConnection } from "./tcp-connection.ts"
import type { Endpoint, Inbound } from "./transport.ts"
import { aliasOf } from "./connection-alias.ts"
import { bindFailed, type Listener } from "./listener.ts"

/** Node reports IPv4 peers of a dual-stack socket as "::ffff:a.b.c.d". */
const plainHost = (host: string | undefined): string =>
  host === undefined ? "unknown" : host.startsWith("::ffff:") && host.includes(".") ? host.slice(7) : host

export const errorCode = (cause: unknown): string | undefined =>
  typeof cause === "object" && cause !== null && "code" in cause ? String(cause.code) : undefined

/** The Node error at the bottom of an effect/socket error ("connect ECONNREFUSED 127.0.0.1:5060"). */
export const rootError = (error: unknown): unknown => {
  let current = error
  for (let depth = 0; depth < 5 && typeof current === "object" && current !== null; depth++) {
    if (errorCode(current) !== undefined && current instanceof Error) return current
    const next = current as { cause?: unknown; reason?: unknown }
    current = next.cause ?? (typeof next.reason === "object" ? next.reason : undefined)
  }
  return error
}

const rootMessage = (error: unknown): string => {
  const root = rootError(error)
  return root instanceof Error ? root.message : String(root)
}

/** What makes a stream transport TCP or TLS. */
export interface StreamKind {
  readonly kind: "tcp" | "tls"
  /** The listening socket server (bound, in the current scope); none for an outbound-only transport. */
  readonly listen?: (
    host: string,
    port: number
  ) => Effect.Effect<SocketServer.SocketServer["Service"], SocketServer.SocketServerError, Scope.Scope>
  /** A socket that connects to `destination` when its reader is acquired. */
  readonly connect: (destination: Endpoint) => Effect.Effect<Socket.Socket>
  /** A failed dial as an error: TLS names its certificate reasons here. */
  readonly connectFailed: (key: string, cause: unknown) => NetworkError
}

/** A dial that never opened: the root Node error says why ("connect ECONNREFUSED …"). */
export const plainConnectFailed = (key: string, cause: unknown): NetworkError =>
  new NetworkError({ reason: "ConnectFailed", address: key, message: `cannot connect to ${key}: ${rootMessage(cause)}`, cause })

export const makeStreamListener = Effect.fnUntraced(function*(
  stream: StreamKind,
  config: ResolvedTransportConfig,
  port: number,
  queue: Queue.Queue<Inbound>,
  counters: Counters
) {
  const address = `${config.host}:${port}`
  const layerScope = yield* Effect.scope
  // No server socket: outbound only (TLS with no certificate of our own).
  const server = stream.listen === undefined ? undefined : yield* stream.listen(config.host, port).pipe(
    Effect.mapError((error) => {
      const code = errorCode(error.reason.cause)
      const kind = code === "EADDRINUSE" ? "AddressInUse" : code === "EACCES" ? "PermissionDenied" : "Unknown"
      return bindFailed(address, kind, error)
    })
  )
  const boundPort = server === undefined || server.address._tag === "UnixPathAddress" ? port : server.address.port
  const local: Endpoint = { transport: stream.kind, host: config.advertisedHost, port: boundPort }
  // RFC 5923: "host:port" a peer asked to be reached at → the key of its connection.
  const aliases = new Map<string, string>()
  const onMessage = (message: Inbound["message"], key: string) => {
    const alias = aliasOf(message)
    if (alias !== undefined && alias !== key) aliases.set(alias, key)
  }
  const deps: ConnectionDeps = { config, local, queue, counters, onMessage }

  // A pending dial is in the map too, so concurrent sends to one peer share a single connection.
  const connections = new Map<string, Deferred.Deferred<Connection, NetworkError>>()
  const others = counters.openConnections
  counters.openConnections = () => others() + connections.size

  /** Runs a connection to its end and keeps the map true: in it while open, out of it once closed. */
  const serve = (socket: Socket.Socket, remote: Endpoint, slot: Deferred.Deferred<Connection, NetworkError>) => {
    const key = endpointKey(remote)
    return runConnection(socket, remote, deps, (connection) =>
      Effect.sync(() => {
        connections.set(key, slot)
        Deferred.doneUnsafe(slot, Exit.succeed(connection))
      })).pipe(
        Effect.scoped,
        Effect.onExit((exit) =>
          Effect.sync(() => {
            if (connections.get(key) === slot) connections.delete(key)
            for (const [alias, target] of aliases) if (target === key) aliases.delete(alias)
            // runConnection fails only before the connection opened; afterwards a waiter sees it lost.
            const failure = Exit.isFailure(exit)
              ? stream.connectFailed(key, Cause.squash(exit.cause))
              : new NetworkError({ reason: "ConnectionLost", address: key })
            Deferred.doneUnsafe(slot, Exit.fail(failure))
          })
        ),
        Effect.ignore
      )
  }

  if (server !== undefined) {
    yield* server.run((socket) =>
    Effect.gen(function*() {
      // The Node server provides each handler with its net.Socket: the peer's address is read there.
      const net = Option.getOrUndefined(yield* Effect.serviceOption(NodeSocket.NetSocket))
      const remote: Endpoint = { transport: stream.kind, host: plainHost(net?.remoteAddress), port: net?.remotePort ?? 0 }
      yield* serve(socket, remote, Deferred.makeUnsafe<Connection, NetworkError>())
    })
    ).pipe(
      Effect.catch((error) => Effect.logWarning(`${stream.kind.toUpperCase()} listener ${address} stopped: ${error.message}`)),
      Effect.forkScoped
    )
  }

  const dial = Effect.fnUntraced(function*(destination: Endpoint) {
    const key = endpointKey(destination)
    const slot = Deferred.makeUnsafe<Connection, NetworkError>()
    connections.set(key, slot)
    const socket = yield* stream.connect(destination)
    // The connection outlives this send: it belongs to the layer's scope.
    yield* Effect.forkIn(serve(socket, { ...destination, transport: stream.kind }, slot), layerScope)
    return slot
  })

  const send = Effect.fnUntraced(function*(bytes: Uint8Array, destination: Endpoint) {
    const key = endpointKey(destination)
    if (bytes.length > config.maxMessageSize) {
      return yield* new NetworkError({
        reason: "MessageTooLarge",
        address: key,
        message: `${bytes.length} bytes exceeds maxMessageSize ${config.maxMessageSize}`
      })
    }
    const alias = aliases.get(key)
    const slot = connections.get(key) ?? (alias === undefined ? undefined : connections.get(alias)) ?? (yield* dial(destination))
    const connection = yield* Deferred.await(slot)
    yield* connection.write(bytes)
  })

  return { local, port: boundPort, send } satisfies Listener
})
