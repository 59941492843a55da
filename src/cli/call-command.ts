/**
 * `effect-sip call sip:user@host:port`: place one call, print its progress and media statistics, and
 * exit 0 when the call went as asked (answered, held for --duration, hung up by us).
 */
import { Console, Effect, Option, Stream } from "effect"
import { Argument, Command, Flag } from "effect/cli"
import { ClientSessionManager } from "../api/client-session-manager.ts"
import type { MediaStats } from "../media/media-engine.ts"
import type { EndReason } from "../session/call-state.ts"
import type { SessionEvent } from "../session/session-events.ts"
import { FlagError, parseMedia, parseTransports } from "./server-flags.ts"

export const callFlags = {
  target: Argument.String("target").pipe(Argument.withDescription("SIP URI to call, e.g. sip:bob@127.0.0.1:5080")),
  duration: Flag.Finite("duration").pipe(Flag.withDescription("Seconds to stay in the call once answered"), Flag.withDefault(5)),
  media: Flag.String("media").pipe(Flag.withDescription("tone | silence | echo | file:PATH"), Flag.withDefault("tone")),
  dtmf: Flag.String("dtmf").pipe(Flag.withDescription("Digits to send (RFC 4733) once answered"), Flag.optional),
  host: Flag.String("host").pipe(Flag.withDescription("Address to bind"), Flag.withDefault("127.0.0.1")),
  port: Flag.Int("port").pipe(Flag.withDescription("Local SIP port (0: any)"), Flag.withDefault(0)),
  rtpPorts: Flag.String("rtp-ports").pipe(Flag.withDescription("RTP port range MIN-MAX"), Flag.withDefault("30000-30998")),
  user: Flag.String("user").pipe(Flag.withDescription("Digest username for 401/407 challenges"), Flag.optional),
  password: Flag.String("password").pipe(Flag.withDescription("Digest password"), Flag.withDefault("")),
  ringTimeout: Flag.Finite("ring-timeout").pipe(Flag.withDescription("Seconds before an unanswered call is cancelled"), Flag.withDefault(30)),
  transport: Flag.String("transport").pipe(
    Flag.withDescription("Transports to open, comma-separated (udp, tcp, tls); a sips: target needs tls"),
    Flag.withDefault("udp,tls")
  ),
  tlsCa: Flag.String("tls-ca").pipe(Flag.withDescription("PEM CA to verify the TLS server with (default: the system CAs)"), Flag.optional),
  srtp: Flag.Boolean("srtp").pipe(Flag.withDescription("Offer SRTP (RTP/SAVP, SDES keys): use a sips: target, the key is in the SDP"), Flag.withDefault(false))
} as const

const percent = (fraction: number) => (fraction * 100).toFixed(1)

export const statsLine = (stats: MediaStats): string =>
  `sent ${stats.packetsSent} packets, received ${stats.packetsReceived} packets, loss ${percent(stats.lossFraction)}%, ` +
  `jitter ${stats.jitterMs.toFixed(1)} ms, MOS ${stats.mos.toFixed(2)}` +
  (stats.srtpDropped === undefined ? "" : `, SRTP dropped ${stats.srtpDropped}`)

const describeEnd = (reason: EndReason): string =>
  reason._tag === "Rejected" ? `rejected ${reason.status} ${reason.reason}` :
    reason._tag === "NormalClearing" ? `hung up by ${reason.by}` :
    reason._tag === "TimedOut" ? `timed out (${reason.what})` :
    reason._tag === "Failed" ? `failed: ${reason.message}` : reason._tag

const range = (value: string): readonly [number, number] => {
  const match = /^(\d+)-(\d+)$/.exec(value)
  if (match === null) throw new FlagError({ message: `--rtp-ports: expected MIN-MAX, got "${value}"` })
  return [Number(match[1]), Number(match[2])]
}

type CallFlags = { readonly [K in keyof typeof callFlags]: (typeof callFlags)[K] extends Argument.Argument<infer A> | Flag.Flag<infer A> ? A : never }

const placeOne = (flags: CallFlags) =>
  Effect.gen(function*() {
    const client = yield* ClientSessionManager
    const events = yield* client.subscribe
    let answered = false
    let endedByUs = false
    const onEvent = (sessionId: string, event: SessionEvent) =>
      Effect.gen(function*() {
        if (event.sessionId !== sessionId) return
        switch (event._tag) {
          case "StateChanged":
            if (event.to === "Ringing" || event.to === "EarlyMedia") yield* Console.log(event.to === "Ringing" ? "ringing" : "early media")
            if (event.to === "Active" && !answered) {
              answered = true
              yield* Console.log("answered")
              yield* inCall(sessionId).pipe(Effect.forkChild)
            }
            return
          case "MediaStarted":
            return yield* Console.log(`media ${event.codec} with ${event.remote}`)
          case "MediaStopped":
            return yield* Console.log(statsLine(event.stats))
          case "CallEnded":
            return yield* Console.log(`call ended: ${describeEnd(event.reason)}`)
          default:
            return
        }
      })
    const inCall = (sessionId: string) =>
      Effect.gen(function*() {
        if (Option.isSome(flags.dtmf)) {
          yield* Effect.sleep("500 millis")
          yield* client.sendDtmf(sessionId, flags.dtmf.value)
          yield* Console.log(`sent DTMF ${flags.dtmf.value}`)
        }
        yield* Effect.sleep(flags.duration * 1000)
        endedByUs = true
        yield* client.end(sessionId)
      }).pipe(Effect.catch((error) => Console.error(`effect-sip: ${error.message}`)))

    yield* Console.log(`calling ${flags.target} from ${client.local.map((e) => `${e.host}:${e.port}`).join(", ")}`)
    const sessionId = yield* client.call({ target: flags.target, ringTimeoutMs: flags.ringTimeout * 1000, srtp: flags.srtp })
    yield* events.pipe(
      Stream.takeUntil((event) => event._tag === "CallEnded" && event.sessionId === sessionId),
      Stream.runForEach((event) => onEvent(sessionId, event))
    )
    return answered && endedByUs
  }).pipe(Effect.scoped)

export const callCommand = Command.make("call", callFlags, (flags) =>
  Effect.gen(function*() {
    const [rtpPortMin, rtpPortMax] = yield* Effect.try({ try: () => range(flags.rtpPorts), catch: (e) => e as FlagError })
    const media = yield* Effect.try({ try: () => parseMedia(flags.media), catch: (e) => e as FlagError })
    const transports = yield* Effect.try({ try: () => parseTransports(flags.transport, "--transport"), catch: (e) => e as FlagError })
    const ok = yield* placeOne(flags).pipe(
      Effect.provide(ClientSessionManager.layer({
        host: flags.host, port: flags.port, rtpPortMin, rtpPortMax, defaultMedia: media, mediaTimeoutMs: 0, transports,
        // TLS here is outbound only (no certificate of our own): replies come back over our connection.
        ...(Option.isSome(flags.tlsCa) ? { tls: { caFile: flags.tlsCa.value } } : {}),
        ...(Option.isSome(flags.user) ? { credentials: { username: flags.user.value, password: flags.password } } : {})
      }))
    )
    if (!ok) process.exitCode = 1
  }).pipe(
    Effect.catch((error) => Effect.andThen(Console.error(`effect-sip: ${String((error as { message?: string }).message ?? error)}`),
      Effect.sync(() => { process.exitCode = 1 })))
  )).pipe(Command.withDescription("Place one call and print its progress and media statistics"))
