/**
 * An in-memory network for deterministic tests: several endpoints in one process, each a `Transport`
 * with the real contract (inbound, send, local, stats). Every message goes through `serialize` and
 * `parseMessage`, so tests exercise the real codec; requests get their top Via stamped like the socket
 * transports do (§18.2.1, RFC 3581).
 *
 * UDP legs can lose, duplicate, delay and reorder datagrams; TCP legs are reliable and ordered (only the
 * base delay applies). All delays run on Effect's Clock (TestClock drives them), and every random choice
 * comes from one seeded generator, so a test replays the same way every time.
 */
import { Context, Effect, Layer, Queue, type Scope, Stream } from "effect"
import { NetworkError } from "../errors.ts"
import { isParseError, parseMessage, serialize } from "../sip/index.ts"
import type { SipMessage } from "../sip/message.ts"
import type { Endpoint, Inbound, TransportKind, TransportStats } from "./transport.ts"
import { Transport } from "./transport.ts"
import { stampVia } from "./via-stamp.ts"

export interface NetworkConditions {
  /** Probability that a UDP datagram is lost. Default 0. */
  readonly loss?: number
  /** Probability that a UDP datagram is delivered twice. Default 0. */
  readonly duplication?: number
  /** Probability that a UDP datagram is held back by `reorderDelayMs`, letting later ones overtake it. Default 0. */
  readonly reorder?: number
  /** One-way latency of every message, ms. Default 0 (delivered at once, no timer). */
  readonly delayMs?: number
  /** Extra delay of a reordered datagram, ms. Default 20. */
  readonly reorderDelayMs?: number
}

export interface FakeNetworkOptions extends NetworkConditions {
  /** Seed of the random choices. Default 1. */
  readonly seed?: number
  /** Inbound queue per endpoint; a full queue drops (counted), like a socket buffer. Default 4096. */
  readonly queueCapacity?: number
}

export interface FakeEndpointOptions {
  readonly host: string
  readonly port: number
  /** Default ["udp"]. */
  readonly transports?: ReadonlyArray<TransportKind>
}

/** mulberry32: a tiny, good-enough PRNG with a 32-bit seed. */
const seeded = (seed: number): (() => number) => {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

interface Attached {
  readonly queue: Queue.Queue<Inbound>
  readonly local: Endpoint
  readonly stats: { received: number; sent: number; malformed: number; dropped: number }
}

const keyOf = (e: Endpoint): string => `${e.transport}:${e.host}:${e.port}`

export class FakeNetwork extends Context.Service<FakeNetwork, {
  /** A Transport listening at `host:port` on the given transports, detached when the Scope closes. */
  endpoint(options: FakeEndpointOptions): Effect.Effect<Transport["Service"], NetworkError, Scope.Scope>
  /** Changes loss/duplication/reordering/delay from now on (e.g. heal the network mid-test). */
  setConditions(conditions: NetworkConditions): Effect.Effect<void>
  /** Datagrams lost on purpose so far. */
  readonly lost: Effect.Effect<number>
}>()("effect-sip/transport/FakeNetwork") {
  static readonly layer = (options: FakeNetworkOptions = {}): Layer.Layer<FakeNetwork> =>
    Layer.effect(FakeNetwork, makeFakeNetwork(options))

  /** One endpoint of the network as a Transport layer. */
  static readonly transport = (options: FakeEndpointOptions): Layer.Layer<Transport, NetworkError, FakeNetwork> =>
    Layer.effect(Transport, Effect.gen(function*() {
      const network = yield* FakeNetwork
      return yield* network.endpoint(options)
    }))
}

export const makeFakeNetwork = Effect.fnUntraced(function*(options: FakeNetworkOptions = {}) {
  const scope = yield* Effect.scope
  const random = seeded(options.seed ?? 1)
  const capacity = options.queueCapacity ?? 4096
  let conditions: NetworkConditions = options
  let lost = 0
  const attached = new Map<string, Attached>()

  /** Parse as the receiving socket would; a request's Via gets `received`/`rport`. */
  const arrive = (to: Attached, bytes: Uint8Array, source: Endpoint): void => {
    const parsed = parseMessage(bytes, source.transport !== "udp" ? { stream: true } : undefined)
    if (isParseError(parsed)) {
      to.stats.malformed++
      return
    }
    const message = parsed._tag === "SipRequest" ? stampVia(parsed, source) : parsed
    if (Queue.offerUnsafe(to.queue, { message, source, local: to.local })) to.stats.received++
    else to.stats.dropped++
  }

  const later = (ms: number, deliver: () => void): Effect.Effect<void> =>
    ms <= 0
      ? Effect.sync(deliver)
      : Effect.asVoid(Effect.forkIn(Effect.andThen(Effect.sleep(ms), Effect.sync(deliver)), scope))

  const transmit = (from: Attached, message: SipMessage, destination: Endpoint): Effect.Effect<void, NetworkError> =>
    Effect.suspend(() => {
      const to = attached.get(keyOf(destination))
      const reliable = destination.transport !== "udp"
      if (to === undefined) {
        // UDP: into the void. TCP: nobody accepts the connection.
        return reliable
          ? Effect.fail(new NetworkError({ reason: "ConnectFailed", address: `${destination.host}:${destination.port}` }))
          : Effect.void
      }
      const bytes = serialize(message)
      from.stats.sent++
      const delay = conditions.delayMs ?? 0
      const deliver = () => arrive(to, bytes, from.local)
      if (reliable) return later(delay, deliver)
      if (random() < (conditions.loss ?? 0)) {
        lost++
        return Effect.void
      }
      const copies = random() < (conditions.duplication ?? 0) ? 2 : 1
      let sends: Effect.Effect<void> = Effect.void
      for (let i = 0; i < copies; i++) {
        const extra = random() < (conditions.reorder ?? 0) ? conditions.reorderDelayMs ?? 20 : 0
        sends = Effect.andThen(sends, later(delay + extra, deliver))
      }
      return sends
    })

  const endpoint = (opts: FakeEndpointOptions) =>
    Effect.gen(function*() {
      const kinds = opts.transports ?? ["udp"]
      const queue = yield* Queue.make<Inbound>({ capacity, strategy: "dropping" })
      const stats = { received: 0, sent: 0, malformed: 0, dropped: 0 }
      const legs = kinds.map((transport): Attached => ({ queue, stats, local: { transport, host: opts.host, port: opts.port } }))
      for (const leg of legs) {
        if (attached.has(keyOf(leg.local))) {
          return yield* new NetworkError({
            reason: "BindFailed",
            address: `${opts.host}:${opts.port}`,
            message: `port ${opts.port} already in use (${opts.host}:${opts.port})`
          })
        }
      }
      yield* Effect.acquireRelease(
        Effect.sync(() => legs.forEach((leg) => attached.set(keyOf(leg.local), leg))),
        () => Effect.sync(() => legs.forEach((leg) => attached.delete(keyOf(leg.local))))
      )
      const legFor = (kind: TransportKind): Attached | undefined => legs.find((leg) => leg.local.transport === kind)
      return Transport.of({
        inbound: Stream.fromQueue(queue),
        send: (message, destination) => {
          const leg = legFor(destination.transport)
          return leg === undefined
            ? Effect.fail(new NetworkError({
              reason: "SendFailed",
              address: `${destination.host}:${destination.port}`,
              message: `transport ${destination.transport} is not enabled`
            }))
            : transmit(leg, message, destination)
        },
        local: legs.map((leg) => leg.local),
        stats: Effect.sync((): TransportStats => ({ ...stats, openConnections: 0 }))
      })
    })

  return FakeNetwork.of({
    endpoint,
    setConditions: (next) => Effect.sync(() => void (conditions = { ...conditions, ...next })),
    lost: Effect.sync(() => lost)
  })
})
