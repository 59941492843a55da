/**
 * A softphone a user would copy: one SipStack (one socket) registers its own Contact with a registrar,
 * answers every call routed to it (echo, or a tone), logs what happens, and removes its binding on
 * shutdown (SIGINT/SIGTERM) before the socket closes.
 *
 *   node examples/softphone.ts --registrar 127.0.0.1:5060 --aor sip:alice@example.com \
 *     [--user alice --password secret] [--port 5062] [--host 127.0.0.1] [--media echo|tone] [--expires 3600]
 *
 * Every flag can come from the environment instead: SOFTPHONE_REGISTRAR, SOFTPHONE_AOR, SOFTPHONE_USER,
 * SOFTPHONE_PASSWORD, SOFTPHONE_PORT, SOFTPHONE_HOST, SOFTPHONE_MEDIA, SOFTPHONE_EXPIRES.
 * (Node 24 runs the TypeScript directly.)
 */
import { NodeRuntime } from "@effect/platform-node"
import { Effect, Exit, Fiber, Scope, Stream } from "effect"
import {
  CallDecision,
  register,
  type RegistrationEvent,
  SessionCoordinator,
  type SessionEvent,
  SipStack
} from "../src/index.ts"

const option = (name: string, fallback?: string): string | undefined => {
  const at = process.argv.indexOf(`--${name}`)
  return at > 0 ? process.argv[at + 1] : process.env[`SOFTPHONE_${name.toUpperCase()}`] ?? fallback
}

const registrar = /^(.+):(\d+)$/.exec(option("registrar", "127.0.0.1:5060")!)
if (registrar === null) throw new Error("--registrar: expected HOST:PORT")
const host = option("host", "127.0.0.1")!
const user = option("user")
const password = option("password", "")!
const aor = option("aor", `sip:${user ?? "softphone"}@${registrar[1]}`)!
const media = option("media", "echo") === "tone" ? { _tag: "Tone", frequency: 440 } as const : { _tag: "Echo" } as const

const describeRegistration = (event: RegistrationEvent): string => {
  switch (event._tag) {
    case "Registered":
      return `registered for ${event.expires} s as ${event.contacts.join(", ")}`
    case "RegistrationFailed":
      return `registration failed: ${event.status ?? ""} ${event.reason}, retry in ${Math.round(event.retryInMs / 1000)} s`
    case "Unregistered":
      return event.removed ? "unregistered" : `unregister failed: ${event.status ?? ""} ${event.reason ?? ""}`
    case "KeepAliveFailed":
      return `keep-alive failed: ${event.reason}`
    case "KeepAliveRestored":
      return "keep-alive restored"
  }
}

const describeCall = (event: SessionEvent): string | undefined => {
  switch (event._tag) {
    case "IncomingCall":
      return `call ${event.sessionId} from ${event.call.callerUri} to ${event.call.requestUri}`
    case "StateChanged":
      return event.to === "Active" ? `call ${event.sessionId} answered` : undefined
    case "MediaStarted":
      return `call ${event.sessionId} media ${event.codec} with ${event.remote}`
    case "DtmfReceived":
      return `call ${event.sessionId} pressed ${event.digit}`
    case "CallEnded":
      return `call ${event.sessionId} ended: ${event.reason._tag}`
    default:
      return undefined
  }
}

const program = Effect.gen(function*() {
  const stack = yield* SipStack
  const calls = yield* SessionCoordinator
  yield* Effect.log(`softphone listening on ${stack.local.map((e) => `${e.transport} ${e.host}:${e.port}`).join(", ")}`)
  yield* (yield* calls.subscribe).pipe(
    Stream.runForEach((event) => {
      const line = describeCall(event)
      return line === undefined ? Effect.void : Effect.log(line)
    }),
    Effect.forkScoped
  )
  // The registration has a scope of its own: on shutdown it is closed first (the unregister goes out while
  // the stack still runs), and its events are printed to the end (the stream ends after Unregistered).
  const registration = yield* Scope.make()
  const handle = yield* register({
    registrar: { transport: "udp", host: registrar[1], port: Number(registrar[2]) },
    aor,
    expires: Number(option("expires", "3600")),
    ...(user === undefined ? {} : { credentials: { username: user, password } })
  }).pipe(Scope.provide(registration))
  const printer = yield* handle.events.pipe(
    Stream.runForEach((event) => Effect.log(describeRegistration(event))),
    Effect.forkDetach
  )
  yield* Effect.addFinalizer(() =>
    Scope.close(registration, Exit.void).pipe(Effect.andThen(Fiber.join(printer)), Effect.timeoutOption("6 seconds"))
  )
  return yield* Effect.never
}).pipe(Effect.scoped)

program.pipe(
  Effect.provide(SipStack.layer({
    host,
    port: Number(option("port", "5062")),
    defaultMedia: media,
    handler: () => Effect.succeed(CallDecision.accept({ media }))
  })),
  NodeRuntime.runMain
)
