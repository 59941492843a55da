/**
 * Test helpers: transaction layers and raw peers on the in-memory FakeNetwork, request fixtures, and
 * collectors for event and response streams.
 */
import { Effect, Exit, Fiber, Queue, type Scope, Stream } from "effect"
import type { NetworkError, ProtocolError } from "../../src/errors.ts"
import { getHeader, makeRequest, makeResponse, newBranch } from "../../src/sip/index.ts"
import type { SipMessage, SipRequest, SipResponse } from "../../src/sip/message.ts"
import { makeTransactionLayer } from "../../src/transaction/live.ts"
import type { OverloadConfig, TimerConfig } from "../../src/transaction/config.ts"
import type { ClientTransaction, TransactionEvent, TransactionLayer } from "../../src/transaction/transaction-layer.ts"
import type { FakeNetwork } from "../../src/transport/fake.ts"
import { type Endpoint, type Inbound, Transport } from "../../src/transport/transport.ts"

export type Layer = TransactionLayer["Service"]

/** Lets every ready fiber run (deliveries, the dispatch loop, timers that just fired). */
export const settle = Effect.gen(function*() {
  for (let i = 0; i < 20; i++) yield* Effect.yieldNow
})

/** A TransactionLayer on its own fake endpoint, with its events collected. */
export const party = (
  network: FakeNetwork["Service"],
  host: string,
  port: number,
  options: {
    readonly transports?: ReadonlyArray<"udp" | "tcp">
    readonly timers?: Partial<TimerConfig>
    readonly overload?: OverloadConfig
    /** A TU: runs on every event (after it is recorded). */
    readonly tu?: (event: TransactionEvent, layer: Layer) => Effect.Effect<void>
  } = {}
) =>
  Effect.gen(function*() {
    const transport = yield* network.endpoint({ host, port, transports: options.transports ?? ["udp"] })
    const layer = yield* makeTransactionLayer(options.timers, options.overload).pipe(Effect.provideService(Transport, transport))
    const tu = options.tu
    const events = yield* collect(layer.events, tu === undefined ? undefined : (e) => tu(e, layer))
    return { layer, transport, events, udp: transport.local[0], local: transport.local }
  })

/** A raw endpoint: the test plays the peer message by message. */
export const rawPeer = (network: FakeNetwork["Service"], host: string, port: number, transports: ReadonlyArray<"udp" | "tcp"> = ["udp"]) =>
  Effect.gen(function*() {
    const transport = yield* network.endpoint({ host, port, transports })
    const inbox = yield* collect(transport.inbound)
    return {
      transport,
      udp: transport.local[0],
      local: transport.local,
      inbox,
      send: (message: SipMessage, destination: Endpoint) => Effect.orDie(transport.send(message, destination))
    }
  })

/** Drains a stream into a list the test inspects (and can take from). */
export const collect = <A>(
  stream: Stream.Stream<A>,
  onItem?: (a: A) => Effect.Effect<void>
): Effect.Effect<Collected<A>, never, Scope.Scope> =>
  Effect.gen(function*() {
    const queue = yield* Queue.unbounded<A>()
    const seen: Array<A> = []
    yield* Stream.runForEach(stream, (a) =>
      Effect.sync(() => seen.push(a)).pipe(
        Effect.andThen(Queue.offer(queue, a)),
        Effect.andThen(onItem === undefined ? Effect.void : onItem(a))
      ))
      .pipe(Effect.forkScoped)
    return {
      seen,
      /** Everything not taken yet. */
      takeAll: Effect.map(Queue.clear(queue), (items) => Array.from(items)),
      next: Effect.flatMap(Queue.poll(queue), (o) => o._tag === "Some" ? Effect.succeed(o.value) : Effect.die("nothing arrived"))
    }
  })

export interface Collected<A> {
  readonly seen: Array<A>
  readonly takeAll: Effect.Effect<Array<A>>
  readonly next: Effect.Effect<A>
}

/** The responses of a client transaction, and how its stream ended once it has. */
export const watch = (tx: ClientTransaction) =>
  Effect.gen(function*() {
    const responses: Array<SipResponse> = []
    const fiber = yield* Stream.runForEach(tx.responses, (r) => Effect.sync(() => responses.push(r))).pipe(Effect.forkScoped)
    return {
      responses,
      statuses: () => responses.map((r) => r.status),
      /** undefined while running, else the Exit of the stream. */
      ended: (): Exit.Exit<void, ProtocolError | NetworkError> | undefined => fiber.pollUnsafe(),
      join: Fiber.await(fiber)
    }
  })

/** A TU that answers every new request with `status` at once (and ignores the rest). */
export const answerWith = (status: number) => (event: TransactionEvent, layer: Layer): Effect.Effect<void> =>
  event._tag === "RequestReceived"
    ? Effect.ignore(layer.respond(event.transaction.id, makeResponse(event.transaction.request, status, undefined, { toTag: "tu" })))
    : Effect.void

let callCounter = 0

/** A request from `from` (its Via sent-by) to `to`, with a fresh branch unless given. */
export const request = (
  method: string,
  from: Endpoint,
  to: Endpoint,
  options: { readonly branch?: string | null; readonly callId?: string; readonly cseq?: number; readonly route?: ReadonlyArray<string> } = {}
): SipRequest => {
  const headers: Array<readonly [string, string]> = []
  if (options.branch !== null) {
    headers.push(["Via", `SIP/2.0/${from.transport.toUpperCase()} ${from.host}:${from.port};branch=${options.branch ?? newBranch()}`])
  }
  headers.push(
    ["Max-Forwards", "70"],
    ["From", `<sip:alice@${from.host}>;tag=from-${++callCounter}`],
    ["To", `<sip:bob@${to.host}>`],
    ["Call-ID", options.callId ?? `call-${callCounter}@test`],
    ["CSeq", `${options.cseq ?? 1} ${method}`],
    ["Contact", `<sip:alice@${from.host}:${from.port}>`]
  )
  for (const route of options.route ?? []) headers.push(["Route", route])
  return makeRequest({ method, uri: `sip:bob@${to.host}:${to.port}`, headers })
}

export const isReq = (m: SipMessage, method: string): m is SipRequest => m._tag === "SipRequest" && m.method === method
export const isStatus = (m: SipMessage, status: number): m is SipResponse => m._tag === "SipResponse" && m.status === status

/** Methods/statuses of raw inbound messages, e.g. ["INVITE", "ACK", 200]. */
export const summary = (items: ReadonlyArray<Inbound>): Array<string | number> =>
  items.map((i) => i.message._tag === "SipRequest" ? i.message.method : i.message.status)

export const header = (m: SipMessage, key: string): string | undefined => getHeader(m, key)

/** A request of the INVITE's own transaction (its branch, From, Call-ID, CSeq number): the ACK for a non-2xx
 *  final (§17.1.1.3, To from that response) or a CANCEL (§9.1, the INVITE's To). */
export const sameTransaction = (method: "ACK" | "CANCEL", invite: SipRequest, to = header(invite, "to")!): SipRequest =>
  makeRequest({
    method,
    uri: invite.uri,
    headers: [
      ["Via", header(invite, "via")!],
      ["Max-Forwards", "70"],
      ["From", header(invite, "from")!],
      ["To", to],
      ["Call-ID", header(invite, "call-id")!],
      ["CSeq", `${header(invite, "cseq")!.split(" ")[0]} ${method}`]
    ]
  })

export const ackFor = (invite: SipRequest, response: SipResponse): SipRequest =>
  sameTransaction("ACK", invite, header(response, "to")!)


export type Event = TransactionEvent
export const tags = (events: ReadonlyArray<TransactionEvent>): Array<string> => events.map((e) => e._tag)

export const exitFailureReason = (exit: Exit.Exit<void, ProtocolError | NetworkError> | undefined): string | undefined => {
  if (exit === undefined || Exit.isSuccess(exit)) return undefined
  const error = exit.cause.reasons.find((r) => r._tag === "Fail")
  return error !== undefined && error._tag === "Fail" ? error.error.reason : "other"
}
