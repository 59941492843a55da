/**
 * A scripted DialogLayer for coordinator unit tests: the test pushes DialogEvents in and reads back
 * the intents the coordinator stated (provisional, accept, reject, respond, request…).
 */
import { Effect, Layer, Queue, Stream } from "effect"
import type { DialogEvent, ResponseOptions } from "../../src/dialog/dialog-layer.ts"
import { DialogLayer } from "../../src/dialog/dialog-layer.ts"
import type { NetworkError, ProtocolError } from "../../src/errors.ts"
import type { SipResponse } from "../../src/sip/message.ts"

export interface Intent {
  readonly op: "provisional" | "accept" | "reject" | "respond" | "cancel" | "request"
  readonly id: string
  readonly status?: number
  readonly method?: string
  readonly body?: string
  readonly headers?: ReadonlyArray<readonly [string, string]>
}

export interface FakeDialogControl {
  readonly emit: (event: DialogEvent) => Effect.Effect<void>
  readonly intents: Array<Intent>
  /** How in-dialog requests we send are answered (default: 200 with no body). */
  answerRequest: (method: string, body: string | undefined) => SipResponse
  /** When set, in-dialog requests we send fail with this instead (a lost network, a timeout). */
  failRequest: ProtocolError | NetworkError | undefined
  live: number
}

const text = (options?: ResponseOptions | { readonly body?: { readonly bytes: Uint8Array } }) =>
  options?.body === undefined ? undefined : Buffer.from(options.body.bytes).toString("latin1")

export const okResponse = (body?: string): SipResponse => ({
  _tag: "SipResponse",
  status: 200,
  reason: "OK",
  headers: body === undefined ? [] : [{ name: "Content-Type", key: "content-type", value: "application/sdp" }],
  body: body === undefined ? new Uint8Array(0) : Buffer.from(body, "latin1")
})

export const makeFakeDialog = Effect.gen(function*() {
  const queue = yield* Queue.unbounded<DialogEvent>()
  const control: FakeDialogControl = {
    emit: (event) => Queue.offer(queue, event).pipe(Effect.asVoid),
    intents: [],
    answerRequest: () => okResponse(),
    failRequest: undefined,
    live: 0
  }
  const record = (intent: Intent) => Effect.sync(() => void control.intents.push(intent))
  const layer = Layer.succeed(
    DialogLayer,
    DialogLayer.of({
      events: Stream.fromQueue(queue),
      provisional: (id, status, options) => record({ op: "provisional", id, status, body: text(options) }),
      accept: (id, options) => record({ op: "accept", id, status: 200, body: text(options), headers: options?.headers }),
      reject: (id, status, options) => record({ op: "reject", id, status, headers: options?.headers }),
      respond: (id, status, options) => record({ op: "respond", id, status, body: text(options), headers: options?.headers }),
      invite: () => Effect.die("fake dialog: invite is not scripted"),
      cancel: (id) => record({ op: "cancel", id }),
      request: (id, method, options) =>
        Effect.flatMap(record({ op: "request", id, method, body: text(options), headers: options?.headers }), () =>
          control.failRequest === undefined
            ? Effect.succeed(control.answerRequest(method, text(options)))
            : Effect.fail(control.failRequest)),
      replacingUri: (id) => Effect.succeed(`sip:peer-of-${id}@127.0.0.1?Replaces=${encodeURIComponent(`${id};to-tag=r;from-tag=l`)}`),
      outOfDialog: (method, options) =>
        Effect.as(record({ op: "request", id: options.target, method, body: text(options) }), control.answerRequest(method, text(options))),
      drain: Effect.void,
      counts: Effect.sync(() => ({ dialogs: control.live, pendingInvites: 0 }))
    })
  )
  return { control, layer }
})
