/**
 * The SIP UDP socket as a plain node:dgram socket that the listener both adopts into effect/socket (for
 * its batched, bounded reader) and sends on directly. Why: effect/socket's `write` suspends the sending
 * fiber until Node's send callback, one async round trip per SIP message on the hot path. UDP gives no
 * delivery signal anyway (SIP's transactions retransmit and time out, RFC 3261 §17), so a send here is
 * fire-and-forget: synchronous failures still fail it, asynchronous ones (EAGAIN-queued then failed, an
 * ICMP report) are counted as lost datagrams.
 */
import * as Dgram from "node:dgram"
import * as Dns from "node:dns"
import { isIP } from "node:net"
import { Effect, Scope } from "effect"
import { DatagramSocket } from "effect/socket"

// IP literals answer at once (no DNS, and none of the process.nextTick Node's default lookup adds to
// every send); a bind host name still resolves. The RTP/RTCP sockets (media/ports.ts) bind through here too.
const lookup = (
  hostname: string,
  family: unknown,
  callback: (error: NodeJS.ErrnoException | null, address: string, family: number) => void
) => {
  const literal = isIP(hostname)
  if (literal !== 0) return callback(null, hostname, literal)
  Dns.lookup(hostname, { family: family === 6 ? 6 : 4 }, callback)
}

const openKind = (error: NodeJS.ErrnoException): DatagramSocket.DatagramSocketOpenError["kind"] =>
  error.code === "EADDRINUSE"
    ? "AddressInUse"
    : error.code === "EADDRNOTAVAIL" || error.code === "ENOTFOUND"
    ? "AddressNotAvailable"
    : error.code === "EACCES" || error.code === "EPERM"
    ? "PermissionDenied"
    : "Unknown"

/**
 * Binds `host:port`; a failure is the OpenError effect/socket's own `make` would give. `receiveBufferBytes`
 * asks the kernel for that much socket receive buffer (capped by net.core.rmem_max; best effort).
 */
export const bindUdp = (
  host: string,
  port: number,
  receiveBufferBytes?: number
): Effect.Effect<Dgram.Socket, DatagramSocket.DatagramSocketError> =>
  Effect.callback((resume) => {
    const socket = Dgram.createSocket({ type: isIP(host) === 6 ? "udp6" : "udp4", lookup: lookup as never })
    const failed = (error: NodeJS.ErrnoException) => {
      try {
        socket.close()
      } catch {
        // never opened
      }
      resume(Effect.fail(
        new DatagramSocket.DatagramSocketError({
          reason: new DatagramSocket.DatagramSocketOpenError({ kind: openKind(error), cause: error })
        })
      ))
    }
    socket.once("error", failed)
    try {
      socket.bind(port, host, () => {
        socket.off("error", failed)
        if (receiveBufferBytes !== undefined) {
          try {
            socket.setRecvBufferSize(receiveBufferBytes)
          } catch {
            // the kernel's default stays
          }
        }
        resume(Effect.succeed(socket))
      })
    } catch (error) {
      failed(error as NodeJS.ErrnoException)
    }
  })

export interface UdpSender {
  /** Hands the datagram to the kernel; throws only on a synchronous failure (closed socket, bad args). */
  readonly send: (bytes: Uint8Array, port: number, host: string) => void
}

/**
 * A sender on `socket`. Its close waits (bounded) for the sends still queued in libuv, registered in the
 * current scope after the socket's own close so it runs first: a shutdown's last BYE is not cut off.
 */
export const makeSender = (socket: Dgram.Socket, onLost: () => void): Effect.Effect<UdpSender, never, Scope.Scope> =>
  Effect.gen(function*() {
    let inFlight = 0
    let drained: (() => void) | undefined
    const sent = (error: Error | null) => {
      if (error != null) onLost()
      if (--inFlight === 0 && drained !== undefined) drained()
    }
    yield* Effect.addFinalizer(() =>
      inFlight === 0 ? Effect.void : Effect.callback<void>((resume) => {
        drained = () => resume(Effect.void)
      }).pipe(Effect.timeoutOption(1000), Effect.asVoid)
    )
    return {
      send: (bytes, port, host) => {
        inFlight++
        try {
          socket.send(bytes, port, host, sent)
        } catch (error) {
          inFlight--
          throw error
        }
      }
    }
  })
