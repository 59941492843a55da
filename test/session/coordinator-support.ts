/**
 * A SessionCoordinator on a scripted dialog layer and a socket-free media engine, for the session tests.
 */
import { Effect, Layer, Stream, Scope } from "effect"
import type { DialogEvent } from "../../src/dialog/dialog-layer.ts"
import type { CallHandler } from "../../src/session/call-decision.ts"
import type { CoordinatorConfig } from "../../src/session/config.ts"
import { SessionCoordinatorLive } from "../../src/session/live.ts"
import { SessionCoordinator } from "../../src/session/session-coordinator.ts"
import type { SessionEvent } from "../../src/session/session-events.ts"
import { makeRequest } from "../../src/sip/index.ts"
import { makeFakeDialog } from "../support/fake-dialog.ts"
import { makeFakeMedia } from "../support/fake-media.ts"

export const offer = (codecs: string, direction = "sendrecv", address = "10.0.0.9") =>
  [
    "v=0",
    `o=caller 1 1 IN IP4 ${address}`,
    "s=-",
    `c=IN IP4 ${address}`,
    "t=0 0",
    `m=audio 30000 RTP/AVP ${codecs}`,
    "a=rtpmap:0 PCMU/8000",
    "a=rtpmap:8 PCMA/8000",
    "a=rtpmap:18 G729/8000",
    "a=rtpmap:101 telephone-event/8000",
    "a=fmtp:101 0-15",
    `a=${direction}`,
    ""
  ].join("\r\n")

export const invite = (sdp: string | undefined, extra: Array<[string, string]> = []) =>
  makeRequest({
    method: "INVITE",
    uri: "sip:service@127.0.0.1:5060",
    headers: [
      ["Via", "SIP/2.0/UDP 10.0.0.9:5061;branch=z9hG4bK-1"],
      ["From", "\"Alice\" <sip:alice@10.0.0.9>;tag=a1"],
      ["To", "<sip:service@127.0.0.1>"],
      ["Call-ID", "call-1@10.0.0.9"],
      ["CSeq", "1 INVITE"],
      ["Max-Forwards", "70"],
      ["Contact", "<sip:alice@10.0.0.9:5061>"],
      ...extra,
      ...(sdp === undefined ? [] : [["Content-Type", "application/sdp"] as [string, string]])
    ],
    ...(sdp === undefined ? {} : { body: Buffer.from(sdp, "latin1") })
  })

export const source = { transport: "udp", host: "10.0.0.9", port: 5061 } as const

export const baseConfig = (handler: CallHandler, overrides: Partial<CoordinatorConfig> = {}): CoordinatorConfig => ({
  codecs: ["PCMU", "PCMA"],
  defaultMedia: { _tag: "Echo" },
  maxCalls: 10,
  busyStatus: 486,
  handler,
  shutdownTimeoutMs: 1000,
  ringTimeoutMs: 0,
  ...overrides
})

/** Build a coordinator on fakes in a scope the test controls, and collect its events. */
export const setup = (handler: CallHandler, overrides: Partial<CoordinatorConfig> = {}) =>
  Effect.gen(function*() {
    const { control, layer: dialogLayer } = yield* makeFakeDialog
    const media = yield* makeFakeMedia({ maxPorts: 4 })
    const scope = yield* Scope.make()
    const context = yield* Layer.buildWithScope(
      SessionCoordinatorLive.layer(baseConfig(handler, overrides)).pipe(Layer.provide(Layer.merge(dialogLayer, media.layer))),
      scope
    )
    const coordinator = context.mapUnsafe.get(SessionCoordinator.key) as SessionCoordinator["Service"]
    const seen: Array<SessionEvent> = []
    const stream = yield* coordinator.subscribe.pipe(Scope.provide(scope))
    yield* Stream.runForEach(stream, (e) => Effect.sync(() => void seen.push(e))).pipe(Effect.forkIn(scope))
    const emit = (event: DialogEvent) => Effect.andThen(control.emit(event), settle)
    return { control, media, coordinator, seen, emit, scope }
  })

/** Let forked fibers run to their next wait. */
export const settle = Effect.gen(function*() {
  for (let i = 0; i < 20; i++) yield* Effect.yieldNow
})

export const incoming = (sdp: string | null = offer("0 8 101"), extra: Array<[string, string]> = []): DialogEvent => ({
  _tag: "IncomingInvite",
  dialogId: "d1",
  requestId: "t1",
  request: invite(sdp ?? undefined, extra),
  source
})

export const sessionOf = (seen: ReadonlyArray<SessionEvent>) => {
  const e = seen.find((x) => x._tag === "IncomingCall")
  if (e === undefined) throw new Error("no IncomingCall event")
  return e.sessionId
}
export const ended = (seen: ReadonlyArray<SessionEvent>) => seen.find((x) => x._tag === "CallEnded")

