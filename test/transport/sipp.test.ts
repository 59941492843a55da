import { describe, expect, it } from "@effect/vitest"
import { Effect, Stream } from "effect"
import * as Path from "node:path"
import { isParseError, makeResponse, topVia } from "../../src/sip/index.ts"
import { isRequest } from "../../src/sip/message.ts"
import { responseDestination } from "../../src/net/destination.ts"
import { makeTransport } from "../../src/transport/live.ts"
import { runSipp } from "../support/run-process.ts"

const scenario = Path.join(import.meta.dirname, "fixtures", "options.xml")


describe("interop with SIPp", () => {
  it.live("SIPp sends 3 OPTIONS over UDP; a responder on the Transport answers each 200 (§11, §18.2.2)", () =>
    Effect.gen(function*() {
      const transport = yield* makeTransport({ host: "127.0.0.1", port: 0, transports: ["udp"] })
      // The tiny responder: every request gets a 200 sent where §18.2.2/RFC 3581 says.
      yield* Stream.runForEach(transport.inbound, (inbound) =>
        Effect.gen(function*() {
          if (!isRequest(inbound.message)) return
          const via = topVia(inbound.message)
          if (isParseError(via)) return
          yield* transport.send(makeResponse(inbound.message, 200, "OK", { toTag: "responder" }), responseDestination(via, inbound.source))
        }).pipe(Effect.orDie)).pipe(Effect.forkScoped)
      const port = transport.local[0].port
      const result = yield* runSipp(
        [`127.0.0.1:${port}`, "-sf", scenario, "-m", "3", "-i", "127.0.0.1", "-timeout", "10s", "-timeout_error", "-nostdin"],
        20_000
      )
      expect(result.code, result.output).toBe(0)
      expect(yield* transport.stats).toMatchObject({ received: 3, sent: 3, malformed: 0 })
    }))
})
