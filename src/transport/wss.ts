/**
 * Secure WebSocket (RFC 7118 over TLS): an HTTPS server carrying our certificate, with the WebSocket
 * listener of ws.ts upgrading on it.
 */
import * as Https from "node:https"
import { Effect, type Queue } from "effect"
import type { ResolvedTransportConfig } from "./config.ts"
import type { Counters } from "./counters.ts"
import { bindFailed } from "./listener.ts"
import { errorCode } from "./stream-listener.ts"
import type { Inbound } from "./transport.ts"
import { makeWsListener } from "./ws.ts"

export const makeWssListener = Effect.fnUntraced(function*(
  config: ResolvedTransportConfig,
  port: number,
  queue: Queue.Queue<Inbound>,
  counters: Counters,
  pems: { readonly cert: Buffer; readonly key: Buffer }
) {
  const address = `${config.host}:${port}`
  const server = yield* Effect.acquireRelease(
    Effect.callback<Https.Server, ReturnType<typeof bindFailed>>((resume) => {
      const https = Https.createServer({ cert: pems.cert, key: pems.key })
      https.once("error", (error) =>
        resume(Effect.fail(bindFailed(address, errorCode(error) === "EADDRINUSE" ? "AddressInUse" : "Unknown", error))))
      https.listen(port, config.host, () => resume(Effect.succeed(https)))
    }),
    (https) => Effect.callback<void>((resume) => void https.close(() => resume(Effect.void)))
  )
  // The WebSocket server waits for its HTTP server's "listening", which fired already: repeat it until
  // the WebSocket server has seen it (it attaches its listener once it is built).
  let ready = false
  yield* Effect.gen(function*() {
    while (!ready) {
      server.emit("listening")
      yield* Effect.sleep(1)
    }
  }).pipe(Effect.forkScoped)
  const listener = yield* makeWsListener("wss", config, port, queue, counters, server)
  ready = true
  return listener
})
