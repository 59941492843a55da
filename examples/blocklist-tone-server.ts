/**
 * A small server a user would copy: callers on a block list get 403, everyone else hears a tone
 * after a second of ringing, and DTMF digits are logged.
 *
 *   node examples/blocklist-tone-server.ts --port 5070        (Node 24 runs the TypeScript directly)
 */
import { NodeRuntime } from "@effect/platform-node"
import { Effect, Stream } from "effect"
import { CallDecision, ServerSessionManager, type CallHandler } from "../src/index.ts"

const blocked = new Set(["sip:spam@127.0.0.1", "sip:blocked@127.0.0.1"])

const handler: CallHandler = (call) =>
  Effect.succeed(
    blocked.has(call.callerUri)
      ? CallDecision.reject(403, "Forbidden")
      : CallDecision.accept({ mode: "ring", delayMs: 1000, media: { _tag: "Tone", frequency: 440 } })
  )

const portFlag = process.argv.indexOf("--port")
const port = portFlag > 0 ? Number(process.argv[portFlag + 1]) : 5070

const program = Effect.gen(function*() {
  const server = yield* ServerSessionManager
  const events = yield* server.subscribe
  yield* Effect.log(`example listening on ${server.local.map((e) => `${e.transport} ${e.host}:${e.port}`).join(", ")}`)
  yield* events.pipe(
    Stream.runForEach((event) => {
      switch (event._tag) {
        case "DtmfReceived":
          return Effect.log(`call ${event.sessionId} pressed ${event.digit}`)
        case "CallEnded":
          return Effect.log(`call ${event.sessionId} ended: ${event.reason._tag}`)
        default:
          return Effect.void
      }
    })
  )
}).pipe(Effect.scoped)

program.pipe(
  Effect.provide(ServerSessionManager.layer(handler, { host: "127.0.0.1", port })),
  NodeRuntime.runMain
)
