/**
 * `effect-sip register sip:alice@example.com --registrar HOST:PORT`: keep a binding for --duration
 * seconds (refreshing as the registrar asks), then remove it; print every registration event, and exit
 * 0 when the binding was granted and removed again.
 */
import { Console, Effect, Fiber, Layer, Option, Stream } from "effect"
import { Argument, Command, Flag } from "effect/cli"
import { register } from "../registration/registration.ts"
import type { RegistrationEvent } from "../registration/registration-events.ts"
import { TransactionLive } from "../transaction/live.ts"
import { TransportLive } from "../transport/live.ts"
import { FlagError } from "./server-flags.ts"

export const registerFlags = {
  aor: Argument.String("aor").pipe(Argument.withDescription("Address-of-record, e.g. sip:alice@example.com")),
  registrar: Flag.String("registrar").pipe(Flag.withDescription("Registrar HOST:PORT (UDP)")),
  expires: Flag.Int("expires").pipe(Flag.withDescription("Requested binding lifetime, seconds"), Flag.withDefault(3600)),
  duration: Flag.Finite("duration").pipe(Flag.withDescription("Seconds to stay registered before unregistering"), Flag.withDefault(5)),
  user: Flag.String("user").pipe(Flag.withDescription("Digest username"), Flag.optional),
  password: Flag.String("password").pipe(Flag.withDescription("Digest password"), Flag.withDefault("")),
  host: Flag.String("host").pipe(Flag.withDescription("Address to bind"), Flag.withDefault("127.0.0.1")),
  port: Flag.Int("port").pipe(Flag.withDescription("Local SIP port (0: any)"), Flag.withDefault(0))
} as const

const describe = (event: RegistrationEvent): string => {
  switch (event._tag) {
    case "Registered":
      return `registered for ${event.expires} s (refresh in ${Math.round(event.refreshInMs / 1000)} s); contacts: ${event.contacts.join(", ")}`
    case "RegistrationFailed":
      return `registration failed: ${event.status ?? ""} ${event.reason} (retry in ${Math.round(event.retryInMs / 1000)} s)`
    case "Unregistered":
      return event.removed ? "unregistered" : `unregister failed: ${event.status ?? ""} ${event.reason ?? ""}`
    case "KeepAliveFailed":
      return `keep-alive failed: ${event.reason}`
    case "KeepAliveRestored":
      return "keep-alive restored"
  }
}

const hostPort = (value: string): { host: string; port: number } => {
  const match = /^(.+):(\d+)$/.exec(value)
  if (match === null) throw new FlagError({ message: `--registrar: expected HOST:PORT, got "${value}"` })
  return { host: match[1], port: Number(match[2]) }
}

export const registerCommand = Command.make("register", registerFlags, (flags) =>
  Effect.gen(function*() {
    const registrar = yield* Effect.try({ try: () => hostPort(flags.registrar), catch: (e) => e as FlagError })
    const seen: Array<RegistrationEvent> = []
    const session = Effect.gen(function*() {
      const handle = yield* register({
        registrar: { transport: "udp", ...registrar },
        aor: flags.aor,
        expires: flags.expires,
        ...(Option.isSome(flags.user) ? { credentials: { username: flags.user.value, password: flags.password } } : {})
      })
      // Printed until the stream ends, after Unregistered, when the registration's scope closes.
      const printer = yield* Stream.runForEach(handle.events, (event) =>
        Effect.andThen(Effect.sync(() => seen.push(event)), Console.log(describe(event)))).pipe(Effect.forkDetach)
      yield* Effect.sleep(flags.duration * 1000)
      return printer
    }).pipe(Effect.scoped)
    const printer = yield* session.pipe(
      Effect.provide(TransactionLive.layer().pipe(
        Layer.provide(TransportLive.layer({ host: flags.host, port: flags.port, transports: ["udp"] }))
      ))
    )
    yield* Fiber.join(printer).pipe(Effect.timeoutOption("1 second")) // the stream ends after Unregistered
    const ok = seen.some((e) => e._tag === "Registered") && seen.some((e) => e._tag === "Unregistered" && e.removed)
    if (!ok) process.exitCode = 1
  }).pipe(
    Effect.catch((error) =>
      Effect.andThen(Console.error(`effect-sip: ${String((error as { message?: string }).message ?? error)}`),
        Effect.sync(() => { process.exitCode = 1 })))
  )).pipe(Command.withDescription("Register an address-of-record with a registrar, then unregister"))
