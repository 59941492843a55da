/**
 * Opening one RTP/RTCP socket pair from the pool, owned by the caller's Scope. The sockets are
 * effect/socket DatagramSockets on the Node adapter, as in the SIP UDP transport: Scope-owned, batched
 * pulls, bounded receive buffers with counted drops. Profiled under the echo benchmark the Effect
 * runtime is ~20% of the server's CPU and node:dgram's send ~25%, so raw node:dgram would buy little
 * for losing all of that (the big per-packet cost was werift-rtp; see rtp-header.ts). A pair that fails to
 * bind because another process holds it is skipped; no free pair fails with "PortPoolExhausted" at
 * once; any other bind error (bad address, permission) fails with "BindFailed".
 */
import * as NodeDatagramSocket from "@effect/platform-node/NodeDatagramSocket"
import { Effect, Exit, Result, Scope } from "effect"
import type { DatagramSocket } from "effect/socket"
import { NetworkError } from "../errors.ts"
import type { PortPool } from "./port-pool.ts"

export interface BoundSocket {
  readonly reader: DatagramSocket.Reader
  readonly writer: DatagramSocket.Writer
}

export interface PortPair {
  readonly port: number
  readonly rtp: BoundSocket
  readonly rtcp: BoundSocket
}

/** Datagrams waiting for the session fiber; beyond this they are dropped and counted (reader.dropped). */
const RECEIVE_BUFFER = 256

const bind = (host: string, port: number) =>
  Effect.gen(function*() {
    const socket = yield* NodeDatagramSocket.make({
      bind: { address: host, port },
      receiveBuffer: { capacity: RECEIVE_BUFFER, strategy: "dropping" }
    })
    const reader = yield* socket.reader
    const writer = yield* socket.writer
    return { reader, writer } satisfies BoundSocket
  })

export const openPortPair = (pool: PortPool, host: string): Effect.Effect<PortPair, NetworkError, Scope.Scope> =>
  Effect.gen(function*() {
    const owner = yield* Effect.scope
    for (const port of pool.candidates()) {
      pool.take(port)
      const sockets = yield* Scope.make()
      const bound = yield* Effect.all([bind(host, port), bind(host, port + 1)]).pipe(
        Scope.provide(sockets),
        Effect.result
      )
      if (Result.isSuccess(bound)) {
        // Sockets close first, then the pair goes back to the pool.
        yield* Scope.addFinalizer(owner, Scope.close(sockets, Exit.void).pipe(Effect.ensuring(Effect.sync(() => pool.release(port)))))
        const [rtp, rtcp] = bound.success
        return { port, rtp, rtcp }
      }
      yield* Scope.close(sockets, Exit.void)
      pool.release(port)
      const error = bound.failure
      if (error.reason._tag !== "DatagramSocketOpenError" || error.reason.kind !== "AddressInUse") {
        // Not a busy port but a bad address or no permission: every other pair would fail the same way.
        return yield* new NetworkError({ reason: "BindFailed", address: `${host}:${port}`, message: error.message, cause: error })
      }
      yield* Effect.logDebug(`RTP port pair ${port}/${port + 1} on ${host} is in use elsewhere; skipped`)
    }
    return yield* new NetworkError({
      reason: "PortPoolExhausted",
      address: host,
      message: `no free RTP port pair (${pool.inUse} of ${pool.size} in use)`
    })
  }).pipe(Effect.uninterruptible) // between take and addFinalizer an interruption would leak the pair
