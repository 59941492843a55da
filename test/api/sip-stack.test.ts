/**
 * SipStack is the one composition root: one stack, one socket, places calls and receives them, and the
 * server and client managers taken from it are views of the same stack. Two stacks on 127.0.0.1 call each
 * other at the same time; each call leaves from and arrives at the socket its stack listens on; afterwards
 * every layer of both stacks drains to zero.
 */
import { describe, expect, it } from "@effect/vitest"
import { Context, Effect, Layer, Stream } from "effect"
import {
  CallDecision,
  ClientSessionManager,
  type Counts,
  DialogLayer,
  MediaEngine,
  ServerSessionManager,
  SessionCoordinator,
  type SessionEvent,
  SipStack,
  type SipStackConfig,
  TransactionLayer,
  Transport
} from "../../src/index.ts"
import { waitForEvent } from "../support/wait-for-event.ts"

const rtpBase = 33000 + 2 * Math.floor(Math.random() * 1500)
const timers = { t1: 50, t2: 400, t4: 500 }
const answer = () => Effect.succeed(CallDecision.accept({ media: { _tag: "Tone", frequency: 440 } }))
const config = (rtpMin: number): Partial<SipStackConfig> => ({
  host: "127.0.0.1", port: 0, rtpPortMin: rtpMin, rtpPortMax: rtpMin + 19, mediaTimeoutMs: 0, timers, handler: answer
})
const idle = (c: Counts) =>
  c.sessions + c.dialogs + c.pendingInvites + c.clientTransactions + c.serverTransactions + c.rtpPorts === 0
const zero: Counts = { sessions: 0, dialogs: 0, pendingInvites: 0, clientTransactions: 0, serverTransactions: 0, rtpPorts: 0 }

const collect = (stream: Stream.Stream<SessionEvent>, into: Array<SessionEvent>) =>
  Stream.runForEach(stream, (e) => Effect.sync(() => void into.push(e))).pipe(Effect.forkScoped)

const active = (id: string) => (e: SessionEvent) => e._tag === "StateChanged" && e.sessionId === id && e.to === "Active"
const incoming = (e: SessionEvent): e is Extract<SessionEvent, { _tag: "IncomingCall" }> => e._tag === "IncomingCall"

describe("SipStack", () => {
  it.live("one stack places a call and receives one on the same socket; both views are one stack", () =>
    Effect.gen(function*() {
      const stack = yield* SipStack
      const server = yield* ServerSessionManager
      const client = yield* ClientSessionManager
      // A second stack, built on its own, to call and be called by.
      const other = yield* Layer.build(SipStack.layer(config(rtpBase + 20)))
      const peer = Context.get(other, SessionCoordinator)
      const peerStack = Context.get(other, SipStack)
      // Every layer of the stack is in its output, for programs that use one directly.
      expect(Context.get(other, Transport).local).toEqual(peerStack.local)
      expect(Context.get(other, TransactionLayer).local).toEqual(peerStack.local)
      expect((yield* Context.get(other, DialogLayer).counts).dialogs).toBe(0)
      expect(yield* Context.get(other, MediaEngine).portsInUse).toBe(0)

      expect(server.local).toEqual(stack.local)
      expect(client.local).toEqual(stack.local)
      const [me] = stack.local
      expect(me.host).toBe("127.0.0.1")
      expect(me.port).toBeGreaterThan(0)
      expect(stack.contactUri).toBe(`sip:127.0.0.1:${me.port};transport=udp`)
      expect(stack.advertisedHost).toBe("127.0.0.1")

      const mine: Array<SessionEvent> = []
      const theirs: Array<SessionEvent> = []
      yield* collect(yield* server.subscribe, mine)
      yield* collect(yield* peer.subscribe, theirs)

      // Both directions at once: out through the client view, in through the server view.
      const out = yield* client.call({ target: `sip:bob@127.0.0.1:${peerStack.local[0].port}` })
      const back = yield* peer.call({ target: `sip:alice@127.0.0.1:${me.port}` })
      yield* waitForEvent(mine, active(out))
      yield* waitForEvent(theirs, active(back))
      const arrivedAtPeer = (yield* waitForEvent(theirs, incoming)) as Extract<SessionEvent, { _tag: "IncomingCall" }>
      const arrivedHere = (yield* waitForEvent(mine, incoming)) as Extract<SessionEvent, { _tag: "IncomingCall" }>
      yield* waitForEvent(mine, active(arrivedHere.sessionId))
      // The outgoing call left from the socket the stack listens on, and the incoming one came to it.
      expect(arrivedAtPeer.call.source.port).toBe(me.port)
      expect(arrivedHere.call.source.port).toBe(peerStack.local[0].port)
      expect(arrivedHere.call.requestUri).toBe(`sip:alice@127.0.0.1:${me.port}`)
      expect((yield* stack.counts).sessions).toBe(2)
      expect((yield* server.counts).sessions).toBe(2)

      yield* Effect.sleep("300 millis")
      yield* client.end(out)
      yield* peer.end(back)
      yield* waitForEvent(mine, (e) => e._tag === "CallEnded" && e.sessionId === out)
      yield* waitForEvent(mine, (e) => e._tag === "CallEnded" && e.sessionId === arrivedHere.sessionId)
      for (const s of [stack, peerStack]) {
        for (let i = 0; i < 300 && !idle(yield* s.counts); i++) yield* Effect.sleep("20 millis")
        expect(yield* s.counts).toEqual(zero)
      }
    }).pipe(
      Effect.scoped,
      Effect.provide(
        Layer.mergeAll(ServerSessionManager.fromStack, ClientSessionManager.fromStack).pipe(
          Layer.provideMerge(SipStack.layer(config(rtpBase)))
        )
      )
    ))

  it.live("the managers' own layers keep their defaults: a client refuses incoming calls with 480", () =>
    Effect.gen(function*() {
      const client = yield* ClientSessionManager
      const other = yield* Layer.build(SipStack.layer(config(rtpBase + 60)))
      const peer = Context.get(other, SessionCoordinator)
      const events: Array<SessionEvent> = []
      yield* collect(yield* peer.subscribe, events)
      const id = yield* peer.call({ target: `sip:client@127.0.0.1:${client.local[0].port}` })
      const ended = yield* waitForEvent(events, (e) => e._tag === "CallEnded" && e.sessionId === id)
      expect(ended).toMatchObject({ reason: { _tag: "Rejected", status: 480 } })
    }).pipe(
      Effect.scoped,
      Effect.provide(ClientSessionManager.layer({
        host: "127.0.0.1", rtpPortMin: rtpBase + 40, rtpPortMax: rtpBase + 59, mediaTimeoutMs: 0, timers
      }))
    ))
})
