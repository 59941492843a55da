/**
 * A program registers its own Contact and answers the calls routed to it, on one socket: one SipStack,
 * a registration over its TransactionLayer (no Contact written by hand), real SIPp as the registrar and
 * then as the caller. SIPp the registrar must see our Contact name the stack's socket and our unregister
 * at the end; SIPp the caller's INVITE to that Contact is answered 200 by the same stack and BYEd cleanly;
 * afterwards every layer of the stack drains to zero.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Exit, Layer, Scope, Stream } from "effect"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import {
  CallDecision,
  type Counts,
  register,
  Registration,
  type RegistrationEvent,
  SessionCoordinator,
  type SessionEvent,
  SipStack
} from "../../src/index.ts"
import { runProcess, runSipp, sippPath } from "../support/run-process.ts"
import { freePorts, udpBound } from "./sipp-ports.ts"
import { waitForEvent } from "../support/wait-for-event.ts"

const root = Path.resolve(import.meta.dirname, "../..")
const rtpBase = 36000 + 2 * Math.floor(Math.random() * 1000)
const timers = { t1: 50, t2: 400, t4: 500 }

const waitFor = <A>(seen: ReadonlyArray<A>, test: (a: A) => boolean, ms = 8000) =>
  Effect.gen(function*() {
    const deadline = Date.now() + ms
    while (!seen.some(test) && Date.now() < deadline) yield* Effect.sleep("20 millis")
    return seen.find(test)
  })

const idle = (c: Counts) =>
  c.sessions + c.dialogs + c.pendingInvites + c.clientTransactions + c.serverTransactions + c.rtpPorts === 0

describe("register and answer on one SipStack, against SIPp", () => {
  it.live("registers the stack's own Contact with SIPp, answers SIPp's INVITE to it, BYE, unregisters, drains", () =>
    Effect.gen(function*() {
      const stack = yield* SipStack
      const calls = yield* SessionCoordinator
      const [me] = stack.local
      const [registrarPort, callerPort, callerMedia] = freePorts(3)
      const messages = Path.join(Fs.mkdtempSync(Path.join(Os.tmpdir(), "effect-sip-reg-")), "registrar.log")
      const registrar = runProcess(sippPath, [
        "-sf", Path.join(root, "sipp/registrar.xml"), "-i", "127.0.0.1", "-p", String(registrarPort), "-m", "1",
        "-nostdin", "-timeout", "40s", "-timeout_error", "-trace_msg", "-message_file", messages
      ], 50_000)
      expect(yield* Effect.promise(() => udpBound(registrarPort))).toBe(true)

      const sessionEvents: Array<SessionEvent> = []
      yield* Stream.runForEach(yield* calls.subscribe, (e) => Effect.sync(() => void sessionEvents.push(e))).pipe(
        Effect.forkScoped
      )
      // The registration lives in a scope of its own, so the test can end it (unregister) while the stack lives.
      const registration = yield* Scope.make()
      const handle = yield* register({
        registrar: { transport: "udp", host: "127.0.0.1", port: registrarPort },
        aor: "sip:alice@127.0.0.1",
        expires: 60,
        retryBaseSeconds: 1
      }).pipe(Scope.provide(registration))
      const regEvents: Array<RegistrationEvent> = []
      yield* Stream.runForEach(handle.events, (e) => Effect.sync(() => void regEvents.push(e))).pipe(Effect.forkScoped)
      const registered = yield* waitFor(regEvents, (e) => e._tag === "Registered")
      expect(registered, JSON.stringify(regEvents)).toMatchObject({ _tag: "Registered", expires: 60 })
      // The registrar's 200 echoes the Contact it received: the stack's own socket.
      const contact = `sip:alice@127.0.0.1:${me.port}`
      expect((registered as Extract<RegistrationEvent, { _tag: "Registered" }>).contacts).toEqual([contact])

      // SIPp calls the registered Contact: the same socket answers.
      const caller = yield* runSipp([
        `127.0.0.1:${me.port}`, "-sf", Path.join(root, "sipp/basic_call.xml"), "-s", "alice", "-m", "1",
        "-i", "127.0.0.1", "-p", String(callerPort), "-mi", "127.0.0.1", "-mp", String(callerMedia),
        "-timeout", "20s", "-timeout_error", "-nostdin"
      ], 30_000)
      expect(caller.code, caller.output).toBe(0)
      const incoming = yield* waitForEvent(sessionEvents, (e) => e._tag === "IncomingCall")
      expect((incoming as Extract<SessionEvent, { _tag: "IncomingCall" }>).call.requestUri).toBe(contact)
      const ended = yield* waitForEvent(sessionEvents, (e) => e._tag === "CallEnded")
      expect(ended).toMatchObject({ reason: { _tag: "NormalClearing", by: "remote" } })

      yield* Scope.close(registration, Exit.void)
      expect(yield* waitFor(regEvents, (e) => e._tag === "Unregistered")).toMatchObject({ removed: true, status: 200 })
      const done = yield* Effect.promise(() => registrar)
      expect(done.code, done.output).toBe(0)
      // What SIPp received: a REGISTER whose Contact names our socket, then the unregister.
      const log = Fs.readFileSync(messages, "utf8")
      expect(log).toContain(`Contact: <${contact}>;expires=60`)
      expect(log).toContain(`Contact: <${contact}>;expires=0`)

      for (let i = 0; i < 300 && !idle(yield* stack.counts); i++) yield* Effect.sleep("20 millis")
      expect(yield* stack.counts).toEqual({
        sessions: 0, dialogs: 0, pendingInvites: 0, clientTransactions: 0, serverTransactions: 0, rtpPorts: 0
      })
    }).pipe(
      Effect.scoped,
      Effect.provide(SipStack.layer({
        host: "127.0.0.1", port: 0, rtpPortMin: rtpBase, rtpPortMax: rtpBase + 19, mediaTimeoutMs: 0, timers,
        handler: () => Effect.succeed(CallDecision.accept({ media: { _tag: "Echo" } }))
      }))
    ), 60_000)

  it.live("Registration.layer composes with SipStack.layer in one graph: Contact from the stack, unregistered before it closes", () =>
    Effect.gen(function*() {
      const [registrarPort] = freePorts(1)
      const messages = Path.join(Fs.mkdtempSync(Path.join(Os.tmpdir(), "effect-sip-reg-")), "registrar.log")
      const registrar = runProcess(sippPath, [
        "-sf", Path.join(root, "sipp/registrar.xml"), "-i", "127.0.0.1", "-p", String(registrarPort), "-m", "1",
        "-nostdin", "-timeout", "20s", "-timeout_error", "-trace_msg", "-message_file", messages
      ], 30_000)
      expect(yield* Effect.promise(() => udpBound(registrarPort))).toBe(true)
      const stack = SipStack.layer({
        host: "127.0.0.1", port: 0, rtpPortMin: rtpBase + 20, rtpPortMax: rtpBase + 39, mediaTimeoutMs: 0, timers
      })
      const app = Registration.layer({
        registrar: { transport: "udp", host: "127.0.0.1", port: registrarPort },
        aor: "sip:bob@127.0.0.1",
        expires: 60
      }).pipe(Layer.provideMerge(stack))
      const contact = yield* Effect.gen(function*() {
        const { contactUri, local } = yield* SipStack
        const handle = yield* Registration
        const seen: Array<RegistrationEvent> = []
        yield* Stream.runForEach(handle.events, (e) => Effect.sync(() => void seen.push(e))).pipe(Effect.forkScoped)
        const registered = yield* waitFor(seen, (e) => e._tag === "Registered")
        expect(registered, JSON.stringify(seen)).toMatchObject({ contacts: [`sip:bob@127.0.0.1:${local[0].port}`] })
        expect(contactUri).toBe(`sip:127.0.0.1:${local[0].port};transport=udp`)
        return `sip:bob@127.0.0.1:${local[0].port}`
      }).pipe(Effect.scoped, Effect.provide(app))
      // The graph is released: the registration went first (its unregister needed the stack's socket).
      const done = yield* Effect.promise(() => registrar)
      expect(done.code, done.output).toBe(0)
      expect(Fs.readFileSync(messages, "utf8")).toContain(`Contact: <${contact}>;expires=0`)
    }), 40_000)
})
