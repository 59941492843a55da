/**
 * The DNS questions RFC 3263 asks (NAPTR, SRV, A, AAAA) on `node:dns/promises`, with a cache that keeps
 * an answer for its TTL (A/AAAA; Node gives no TTL for NAPTR/SRV, so `defaultTtlMs`), never longer than
 * `maxTtlMs`, and holds at most `capacity` names. "No such name" and "no such record" are empty answers;
 * a server that does not answer is a NetworkError.
 */
import { Resolver } from "node:dns/promises"
import { Clock, Effect } from "effect"
import { NetworkError } from "../errors.ts"
import type { SrvRecord } from "./srv-order.ts"

export interface NaptrRecord {
  readonly order: number
  readonly preference: number
  readonly flags: string
  readonly service: string
  readonly replacement: string
}

export interface DnsLookup {
  readonly naptr: (name: string) => Effect.Effect<ReadonlyArray<NaptrRecord>, NetworkError>
  readonly srv: (name: string) => Effect.Effect<ReadonlyArray<SrvRecord>, NetworkError>
  /** A then AAAA records of `name`, as address strings. */
  readonly addresses: (name: string) => Effect.Effect<ReadonlyArray<string>, NetworkError>
}

export interface DnsLookupOptions {
  /** "ip" or "ip:port" of the servers to ask; default the system's. */
  readonly servers?: ReadonlyArray<string>
  readonly timeoutMs?: number
  readonly defaultTtlMs?: number
  readonly maxTtlMs?: number
  readonly capacity?: number
}

const EMPTY = new Set(["ENOTFOUND", "ENODATA", "NOTFOUND", "NODATA"])

export const makeDnsLookup = (options: DnsLookupOptions = {}): DnsLookup => {
  const resolver = new Resolver({ timeout: options.timeoutMs ?? 2000, tries: 2 })
  if (options.servers !== undefined) resolver.setServers([...options.servers])
  const defaultTtl = options.defaultTtlMs ?? 60_000
  const maxTtl = options.maxTtlMs ?? 300_000
  const capacity = options.capacity ?? 1024
  const cache = new Map<string, { readonly until: number; readonly value: ReadonlyArray<unknown> }>()

  const ask = <A>(key: string, query: () => Promise<ReadonlyArray<A>>, ttlOf: (answer: ReadonlyArray<A>) => number | undefined) =>
    Effect.gen(function*() {
      const now = yield* Clock.currentTimeMillis
      const hit = cache.get(key)
      if (hit !== undefined && hit.until > now) return hit.value as ReadonlyArray<A>
      const answer = yield* Effect.tryPromise({
        try: query,
        catch: (cause) => cause
      }).pipe(
        Effect.catch((cause) =>
          EMPTY.has(String((cause as { code?: unknown }).code))
            ? Effect.succeed([] as ReadonlyArray<A>)
            : Effect.fail(new NetworkError({ reason: "ConnectFailed", address: key, message: `DNS ${key}: ${String(cause)}`, cause }))
        )
      )
      cache.delete(key)
      if (cache.size >= capacity) cache.delete(cache.keys().next().value!)
      cache.set(key, { until: now + Math.min(ttlOf(answer) ?? defaultTtl, maxTtl), value: answer })
      return answer
    })

  const minTtl = (answer: ReadonlyArray<{ readonly ttl: number }>) =>
    answer.length === 0 ? undefined : 1000 * Math.min(...answer.map((a) => a.ttl))

  return {
    naptr: (name) => ask(`NAPTR ${name}`, () => resolver.resolveNaptr(name), () => undefined),
    srv: (name) =>
      ask(`SRV ${name}`, async () => (await resolver.resolveSrv(name)).map((r) => ({ ...r })), () => undefined),
    addresses: (name) =>
      Effect.gen(function*() {
        const v4 = yield* ask(`A ${name}`, () => resolver.resolve4(name, { ttl: true }), minTtl)
        const v6 = yield* ask(`AAAA ${name}`, () => resolver.resolve6(name, { ttl: true }), minTtl)
        return [...v4, ...v6].map((a) => a.address)
      })
  }
}
