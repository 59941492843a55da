/**
 * A scripted TransactionLayer for DialogLayer unit tests: it records every message the dialog layer
 * hands down (requests, responses on server transactions, stateless sends, CANCELs) and lets the test
 * inject TransactionEvents and answer client transactions response by response.
 */
import { emptyTransactionStats } from "../../src/transaction/stats.ts"
import { type Cause, Effect, Layer, Queue, Stream } from "effect"
import { DialogLayer } from "../../src/dialog/dialog-layer.ts"
import { DialogLive } from "../../src/dialog/live.ts"
import type { DialogEvent } from "../../src/dialog/dialog-layer.ts"
import type { DialogLayerConfig } from "../../src/dialog/config.ts"
import type { NetworkError, ProtocolError } from "../../src/errors.ts"
import { getHeader, makeRequest, makeResponse } from "../../src/sip/index.ts"
import type { SipRequest, SipResponse } from "../../src/sip/message.ts"
import type { ServerTransaction, TransactionEvent } from "../../src/transaction/transaction-layer.ts"
import { TransactionLayer } from "../../src/transaction/transaction-layer.ts"
import type { Endpoint } from "../../src/transport/transport.ts"

export type Sent =
  | { readonly op: "request"; readonly id: string; readonly request: SipRequest; readonly destination: Endpoint }
  | { readonly op: "respond"; readonly id: string; readonly response: SipResponse }
  | { readonly op: "stateless"; readonly message: SipRequest | SipResponse; readonly destination: Endpoint }
  | { readonly op: "cancel"; readonly id: string }

export interface FakeClient {
  readonly id: string
  readonly request: SipRequest
  readonly queue: Queue.Queue<SipResponse, ProtocolError | NetworkError | Cause.Done>
}

export const local: Endpoint = { transport: "udp", host: "127.0.0.1", port: 5070 }
export const peer: Endpoint = { transport: "udp", host: "10.0.0.9", port: 5061 }

export const makeFakeTransactions = Effect.gen(function*() {
  const events = yield* Queue.unbounded<TransactionEvent>()
  const sent: Array<Sent> = []
  const clients: Array<FakeClient> = []
  let next = 0
  const service = TransactionLayer.of({
    events: Stream.fromQueue(events),
    sendRequest: (request, destination) =>
      Effect.gen(function*() {
        const id = `client-${++next}`
        const queue = yield* Queue.unbounded<SipResponse, ProtocolError | NetworkError | Cause.Done>()
        clients.push({ id, request, queue })
        sent.push({ op: "request", id, request, destination })
        return { id, request, destination, responses: Stream.fromQueue(queue) }
      }),
    cancel: (id) => Effect.sync(() => void sent.push({ op: "cancel", id })),
    respond: (id, response) => Effect.sync(() => void sent.push({ op: "respond", id, response })),
    sendStateless: (message, destination) => Effect.sync(() => void sent.push({ op: "stateless", message, destination })),
    local: [local],
    counts: Effect.sync(() => ({ client: 0, server: 0 })),
    shedInvites: Effect.succeed(0),
    stats: Effect.succeed(emptyTransactionStats)
  })
  return {
    layer: Layer.succeed(TransactionLayer, service),
    sent,
    clients,
    inject: (event: TransactionEvent) => Effect.andThen(Queue.offer(events, event), settle),
    /** Transaction events not yet taken by the dialog layer. */
    pendingEvents: () => Queue.sizeUnsafe(events),
    /** The client transaction whose request has this method (the latest one). */
    client: (method: string): FakeClient => {
      const found = [...clients].reverse().find((c) => c.request.method === method)
      if (found === undefined) throw new Error(`no ${method} client transaction`)
      return found
    },
    /** Messages of one kind, in order. */
    responses: (id?: string) =>
      sent.flatMap((s) => (s.op === "respond" && (id === undefined || s.id === id) ? [s.response] : [])),
    requests: (method?: string) =>
      sent.flatMap((s) => (s.op === "request" && (method === undefined || s.request.method === method) ? [s.request] : [])),
    stateless: () => sent.flatMap((s) => (s.op === "stateless" ? [s.message] : []))
  }
})

/** Let forked fibers run to their next wait. */
export const settle = Effect.gen(function*() {
  for (let i = 0; i < 30; i++) yield* Effect.yieldNow
})

/** A DialogLayer over the scripted transaction layer, without a consumer of its events. */
export const setupUnconsumed = (eventCapacity?: number, config: Partial<DialogLayerConfig> = {}) =>
  Effect.gen(function*() {
    const tl = yield* makeFakeTransactions
    const layer = DialogLive.layer({
      contactHost: "127.0.0.1",
      userAgent: "effect-sip-test",
      ...(eventCapacity === undefined ? {} : { eventCapacity }),
      ...config
    })
    const context = yield* Layer.build(layer.pipe(Layer.provide(tl.layer)))
    return { tl, dialog: context.mapUnsafe.get(DialogLayer.key) as DialogLayer["Service"] }
  })

/** A DialogLayer over the scripted transaction layer, its events collected into an array. */
export const setupWith = (config: Partial<DialogLayerConfig>) => Effect.gen(function*() {
  const { tl, dialog } = yield* setupUnconsumed(undefined, config)
  const events: Array<DialogEvent> = []
  yield* Stream.runForEach(dialog.events, (e) => Effect.sync(() => void events.push(e))).pipe(Effect.forkScoped)
  yield* settle
  return { tl, dialog, events }
})
export const setup = setupWith({})

let serial = 0
export const serverTransaction = (request: SipRequest, source: Endpoint = peer): ServerTransaction => ({
  id: `server-${++serial}`,
  request,
  source
})

/** An INVITE from the peer, outside any dialog. */
export const incomingInvite = (options: { callId?: string; extra?: ReadonlyArray<[string, string]>; body?: string } = {}) =>
  makeRequest({
    method: "INVITE",
    uri: "sip:service@127.0.0.1:5070",
    headers: [
      ["Via", "SIP/2.0/UDP 10.0.0.9:5061;branch=z9hG4bK-inv-1"],
      ["Max-Forwards", "70"],
      ["From", "\"Alice\" <sip:alice@10.0.0.9>;tag=alice-tag"],
      ["To", "<sip:service@127.0.0.1>"],
      ["Call-ID", options.callId ?? "call-1@10.0.0.9"],
      ["CSeq", "1 INVITE"],
      ["Contact", "<sip:alice@10.0.0.9:5061>"],
      ...(options.extra ?? [])
    ],
    ...(options.body === undefined ? {} : { body: Buffer.from(options.body, "latin1") })
  })

/** A request from the peer inside the dialog `ourTag` (To-tag) of call-1. */
export const inDialogRequest = (method: string, seq: number, ourTag: string, options: { callId?: string; branch?: string } = {}) =>
  makeRequest({
    method,
    uri: "sip:127.0.0.1:5070;transport=udp",
    headers: [
      ["Via", `SIP/2.0/UDP 10.0.0.9:5061;branch=${options.branch ?? `z9hG4bK-${method}-${seq}`}`],
      ["Max-Forwards", "70"],
      ["From", "\"Alice\" <sip:alice@10.0.0.9>;tag=alice-tag"],
      ["To", `<sip:service@127.0.0.1>;tag=${ourTag}`],
      ["Call-ID", options.callId ?? "call-1@10.0.0.9"],
      ["CSeq", `${seq} ${method}`]
    ]
  })

/** A response from the callee to our INVITE (or in-dialog request), with To-tag `tag`. */
export const answer = (
  request: SipRequest,
  status: number,
  tag: string | undefined,
  extra: ReadonlyArray<[string, string]> = []
): SipResponse =>
  makeResponse(request, status, undefined, {
    ...(tag === undefined ? {} : { toTag: tag }),
    headers: [...(status > 100 && tag !== undefined ? [["Contact", `<sip:bob-${tag}@10.0.0.20:5080>`] as [string, string]] : []), ...extra]
  })

export const header = getHeader

/** The peer's response arrives on a client transaction. */
export const offerResponse = (
  queue: Queue.Queue<SipResponse, ProtocolError | NetworkError | Cause.Done>,
  response: SipResponse
) => Effect.andThen(Queue.offer(queue, response), settle)
