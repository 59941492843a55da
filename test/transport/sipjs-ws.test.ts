/**
 * A real JavaScript SIP user agent (sip.js 0.21, over Node's global WebSocket) against a SipStack with a
 * `ws` listener (RFC 7118) and a registrar: it registers its `.invalid` Contact and unregisters it, then
 * places a call with a fixed G.711 offer (no WebRTC), which our stack answers, and hangs up with BYE.
 */
import { describe, expect, it } from "@effect/vitest"
import { Context, Effect, Layer, Stream } from "effect"
import {
  Inviter,
  Registerer,
  RegistererState,
  type SessionDescriptionHandler,
  SessionState,
  UserAgent
} from "sip.js"
import {
  CallDecision,
  LocationMemory,
  Registrar,
  SessionCoordinator,
  type SessionEvent,
  SipStack,
  withRegistrar
} from "../../src/index.ts"
import { waitForEvent } from "../support/wait-for-event.ts"

const rtpBase = 59400 + 2 * Math.floor(Math.random() * 50)
const timers = { t1: 50, t2: 400, t4: 500 }
const aor = "sip:alice@example.com"

const stack = Layer.build(
  SipStack.layer({
    host: "127.0.0.1", port: 0, transports: ["udp", "ws"], rtpPortMin: rtpBase, rtpPortMax: rtpBase + 19, mediaTimeoutMs: 0, timers,
    handler: () => Effect.succeed(CallDecision.accept({ media: { _tag: "Silence" } }))
  }).pipe(Layer.provideMerge(withRegistrar({ location: LocationMemory.layer })))
)

/** A fixed PCMU offer on a port nobody sends from: the stack only needs to negotiate it. */
const offer = (port: number) =>
  ["v=0", "o=- 1 1 IN IP4 127.0.0.1", "s=-", "c=IN IP4 127.0.0.1", "t=0 0", `m=audio ${port} RTP/AVP 0`,
    "a=rtpmap:0 PCMU/8000", "a=sendrecv", ""].join("\r\n")

const fixedSdh = (port: number, answers: Array<string>) => (): SessionDescriptionHandler => ({
  close: () => undefined,
  getDescription: () => Promise.resolve({ body: offer(port), contentType: "application/sdp" }),
  hasDescription: (contentType) => contentType === "application/sdp",
  setDescription: (sdp) => Promise.resolve(void answers.push(sdp)),
  sendDtmf: () => false
})

/** Resolves once `check()` holds, polling; fails after `ms`. */
const until = (what: string, check: () => boolean, ms = 5000) =>
  Effect.gen(function*() {
    const deadline = Date.now() + ms
    while (!check()) {
      if (Date.now() > deadline) return yield* Effect.fail(new Error(`${what}: not within ${ms} ms`))
      yield* Effect.sleep("20 millis")
    }
  })

/** A started sip.js UserAgent on our ws listener, stopped with the scope. */
const userAgent = (port: number, answers: Array<string>) =>
  Effect.acquireRelease(
    Effect.tryPromise(async () => {
      const ua = new UserAgent({
        uri: UserAgent.makeURI(aor)!,
        transportOptions: { server: `ws://127.0.0.1:${port}`, connectionTimeout: 5 },
        sessionDescriptionHandlerFactory: fixedSdh(rtpBase + 30, answers),
        logLevel: "error"
      })
      await ua.start()
      return ua
    }).pipe(Effect.timeout("5 seconds")),
    (ua) => Effect.promise(() => ua.stop()).pipe(Effect.timeout("5 seconds"), Effect.ignore)
  )

/** The stack, its event log and a started sip.js UA on its ws listener, all in the scope. */
const setup = Effect.gen(function*() {
  const out = yield* stack
  const sip = Context.get(out, SipStack)
  const events: Array<SessionEvent> = []
  yield* Stream.runForEach(yield* Context.get(out, SessionCoordinator).subscribe, (e) => Effect.sync(() => void events.push(e)))
    .pipe(Effect.forkScoped)
  const answers: Array<string> = []
  const ua = yield* userAgent(sip.local.find((l) => l.transport === "ws")!.port, answers)
  return { sip, registrar: Context.get(out, Registrar), events, answers, ua }
})

describe("sip.js over WebSocket (RFC 7118)", () => {
  it.live("REGISTER binds the UA's .invalid Contact with transport=ws; un-REGISTER removes it", () =>
    Effect.gen(function*() {
      const { registrar, ua } = yield* setup
      const registerer = new Registerer(ua, { expires: 300 })
      yield* Effect.promise(() => registerer.register())
      yield* until("Registered", () => registerer.state === RegistererState.Registered)
      const bindings = yield* registrar.lookup(aor)
      expect(bindings).toHaveLength(1)
      expect(bindings[0]!.uri).toMatch(/^sip:[^@]+@[^;>]+\.invalid(:\d+)?;transport=ws\b/i)
      yield* Effect.promise(() => registerer.unregister())
      yield* until("Unregistered", () => registerer.state === RegistererState.Unregistered)
      expect(yield* registrar.lookup(aor)).toHaveLength(0)
    }).pipe(Effect.scoped), { timeout: 20_000 })

  it.live("an INVITE with a fixed PCMU offer is answered, reaches Active, and sip.js's BYE ends it; the stack drains", () =>
    Effect.gen(function*() {
      const { sip, events, answers, ua } = yield* setup
      const ws = sip.local.find((l) => l.transport === "ws")!
      const inviter = new Inviter(ua, UserAgent.makeURI(`sip:echo@127.0.0.1:${ws.port};transport=ws`)!)
      yield* Effect.promise(() => inviter.invite())
      yield* until("Established", () => inviter.state === SessionState.Established)
      expect(answers).toHaveLength(1)
      expect(answers[0]).toMatch(/^m=audio \d+ RTP\/AVP 0\b/m)
      yield* waitForEvent(events, (e) => e._tag === "StateChanged" && e.to === "Active")
      yield* Effect.promise(() => inviter.bye())
      yield* until("Terminated", () => inviter.state === SessionState.Terminated)
      const ended = yield* waitForEvent(events, (e) => e._tag === "CallEnded")
      expect(ended).toMatchObject({ reason: { _tag: "NormalClearing", by: "remote" } })
      let counts = yield* sip.counts
      const drained = () => Object.values(counts).every((n) => n === 0)
      const deadline = Date.now() + 8000
      while (!drained() && Date.now() < deadline) {
        yield* Effect.sleep("50 millis")
        counts = yield* sip.counts
      }
      expect(counts).toEqual({ sessions: 0, dialogs: 0, pendingInvites: 0, clientTransactions: 0, serverTransactions: 0, rtpPorts: 0 })
    }).pipe(Effect.scoped), { timeout: 30_000 })
})
