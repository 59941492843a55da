/**
 * An IVR-style server a user would copy: answer every call with a tone, collect the caller's DTMF digits,
 * and when they press # (or after 15 s) say what was entered and hang up.
 *
 *   node examples/dtmf-menu-server.ts --port 5072        (Node 24 runs the TypeScript directly)
 */
import { NodeRuntime } from "@effect/platform-node"
import { Effect, Stream } from "effect"
import { CallDecision, ServerSessionManager } from "../src/index.ts"

const portFlag = process.argv.indexOf("--port")
const port = portFlag > 0 ? Number(process.argv[portFlag + 1]) : 5072

const program = Effect.gen(function*() {
  const server = yield* ServerSessionManager
  const events = yield* server.subscribe
  const entered = new Map<string, string>()
  yield* Effect.log(`dtmf menu listening on ${server.local.map((e) => `${e.transport} ${e.host}:${e.port}`).join(", ")}`)
  yield* events.pipe(
    Stream.runForEach((event) => {
      switch (event._tag) {
        case "IncomingCall":
          entered.set(event.sessionId, "")
          // Give up on a caller who never presses #: the timer is an ordinary fiber of ours.
          return server.end(event.sessionId).pipe(Effect.delay("15 seconds"), Effect.ignore, Effect.forkDetach, Effect.asVoid)
        case "DtmfReceived": {
          if (event.digit !== "#") {
            entered.set(event.sessionId, (entered.get(event.sessionId) ?? "") + event.digit)
            return Effect.void
          }
          return Effect.log(`call ${event.sessionId} entered ${entered.get(event.sessionId) ?? ""}`).pipe(
            Effect.andThen(server.end(event.sessionId)),
            Effect.ignore
          )
        }
        case "CallEnded":
          entered.delete(event.sessionId)
          return Effect.log(`call ${event.sessionId} ended: ${event.reason._tag}`)
        default:
          return Effect.void
      }
    })
  )
}).pipe(Effect.scoped)

program.pipe(
  Effect.provide(
    ServerSessionManager.layer(() => Effect.succeed(CallDecision.accept({ media: { _tag: "Tone", frequency: 350 } })), {
      host: "127.0.0.1",
      port
    })
  ),
  NodeRuntime.runMain
)
