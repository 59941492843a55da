/**
 * Opening one RTP/RTCP socket pair from the pool, owned by the caller's Scope, on plain node:dgram sockets
 * (packets are delivered by inbox.ts), with spare pairs bound ahead off the INVITE's path. A pair another
 * process holds is skipped; no free pair fails with "PortPoolExhausted" at once; any other bind error (bad
 * address, permission) fails with "BindFailed". Why: docs/performance.md, "Media ports off the INVITE's path".
 */
import type * as Dgram from "node:dgram"
import { Effect, Scope } from "effect"
import type { DatagramSocket } from "effect/socket"
import { NetworkError } from "../errors.ts"
import { bindUdp } from "../net/udp-socket.ts"
import type { PortPool } from "./port-pool.ts"

/** A bound RTP/RTCP pair: the RTP port is even, RTCP the next one. */
interface BoundPair {
  readonly port: number
  readonly rtp: Dgram.Socket
  readonly rtcp: Dgram.Socket
}

export interface PortPair extends BoundPair {
  /** Best effort (RFC 3550 §2: a send error is a lost packet, not a failed call). */
  readonly send: (socket: Dgram.Socket, payload: Uint8Array, port: number, host: string) => void
}

// Send errors are reported to send's callback; this keeps any other socket error from being thrown.
const ignoreError = (): void => {}

const close = (socket: Dgram.Socket): void => {
  try {
    socket.close()
  } catch {
    // already closed
  }
}

// The SIP transport's bind: IP literals skip Node's DNS lookup (and its nextTick) on every RTP send too.
const bind = (host: string, port: number): Effect.Effect<Dgram.Socket, DatagramSocket.DatagramSocketError> =>
  Effect.map(bindUdp(host, port), (socket) => socket.on("error", ignoreError))


// Uninterruptible: between take and return an interruption would leak the pair.
const bindPair = Effect.fnUntraced(function*(pool: PortPool, host: string) {
  for (const port of pool.candidates()) {
    pool.take(port)
    const rtp = yield* Effect.result(bind(host, port))
    const rtcp = rtp._tag === "Success" ? yield* Effect.result(bind(host, port + 1)) : undefined
    if (rtp._tag === "Success" && rtcp !== undefined && rtcp._tag === "Success") {
      return { port, rtp: rtp.success, rtcp: rtcp.success } satisfies BoundPair
    }
    if (rtp._tag === "Success") close(rtp.success)
    pool.release(port)
    const error = rtp._tag === "Failure" ? rtp.failure : rtcp!._tag === "Failure" ? rtcp!.failure : undefined
    if (error?.reason._tag !== "DatagramSocketOpenError" || error.reason.kind !== "AddressInUse") {
      // Not a busy port but a bad address or no permission: every other pair would fail the same way.
      return yield* new NetworkError({ reason: "BindFailed", address: `${host}:${port}`, message: String(error?.message), cause: error })
    }
    yield* Effect.logDebug(`RTP port pair ${port}/${port + 1} on ${host} is in use elsewhere; skipped`)
  }
  return yield* new NetworkError({
    reason: "PortPoolExhausted",
    address: host,
    message: `no free RTP port pair (${pool.inUse} of ${pool.size} in use)`
  })
}, Effect.uninterruptible)

/**
 * Pairs bound ahead of the calls that will take them. Creating and binding two sockets is ~40 µs, a sixth of
 * an INVITE's path to its 200, and INVITEs arrive in bursts (a UAC's timer tick, a poll's worth of
 * datagrams) where each one waits for those before it. So a call takes a spare at once, and the spares are
 * bound again after the turn's urgent work, at the teardown's lower priority. They are the engine's until
 * taken: not counted as in use, closed with the engine.
 */
export interface SparePairs {
  readonly ready: Array<BoundPair>
  /** How many to keep: a burst's worth, and never more than a quarter of the pool. */
  readonly target: number
  refilling: boolean
  closed: boolean
}

// After the turn's urgent work, with a call's teardown (session/context.ts TEARDOWN_PRIORITY).
const SPARE_PRIORITY = 1

export const makeSparePairs = (pool: PortPool): Effect.Effect<SparePairs, never, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.sync((): SparePairs => ({ ready: [], target: Math.min(16, pool.size >> 2), refilling: false, closed: false })),
    (spares) =>
      Effect.sync(() => {
        spares.closed = true
        for (const pair of spares.ready.splice(0)) closeBound(pool, pair)
      })
  )

const closeBound = (pool: PortPool, pair: BoundPair): void => {
  close(pair.rtp)
  close(pair.rtcp)
  pool.release(pair.port)
}

// Binding and keeping one pair is atomic: an interruption (the engine closing) between them would leak it.
const refillOne = Effect.fnUntraced(function*(pool: PortPool, host: string, spares: SparePairs) {
  const bound = yield* Effect.result(bindPair(pool, host))
  if (bound._tag === "Failure") return false // exhausted, or a bind error: the next call reports it itself
  if (spares.closed) closeBound(pool, bound.success)
  else spares.ready.push(bound.success)
  return true
}, Effect.uninterruptible)

const refill = Effect.fnUntraced(function*(pool: PortPool, host: string, spares: SparePairs) {
  yield* Effect.yieldNowWith(SPARE_PRIORITY)
  while (!spares.closed && spares.ready.length < spares.target && (yield* refillOne(pool, host, spares))) {
    // one more pair
  }
  spares.refilling = false
}, Effect.interruptible)

// One generator function for every call, made once here (see bench/pinned-calls.ts for why).
// Uninterruptible: between taking the pair and addFinalizer an interruption would leak it.
export const openPortPair = Effect.fnUntraced(function*(pool: PortPool, host: string, spares: SparePairs, engine: Scope.Scope) {
  const owner = yield* Effect.scope
  const { port, rtp, rtcp } = spares.ready.shift() ?? (yield* bindPair(pool, host))
  if (!spares.refilling && spares.ready.length < spares.target) {
    spares.refilling = true
    yield* Effect.forkIn(refill(pool, host, spares), engine)
  }
  // A dgram send leaves after a tick: closing at once would lose what the session sent while closing
  // (its RTCP BYE). So the pair closes when the scope does, or after its last send still in flight.
  let inFlight = 0
  let closing = false
  let closed = false
  const closePair = () => {
    closed = true
    closeBound(pool, { port, rtp, rtcp })
  }
  const sent = () => {
    if (--inFlight === 0 && closing) closePair()
  }
  yield* Scope.addFinalizer(owner, Effect.sync(() => {
    closing = true
    if (inFlight === 0) closePair()
  }))
  const send = (socket: Dgram.Socket, payload: Uint8Array, to: number, host: string) => {
    if (closed) return // a late packet of a call that ended
    inFlight++
    socket.send(payload, to, host, sent)
  }
  return { port, rtp, rtcp, send } satisfies PortPair
}, Effect.uninterruptible)
