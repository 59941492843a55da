/**
 * For live tests: wait (bounded, polling) until a collected SessionEvent matches, and return it.
 */
import { Effect } from "effect"
import type { SessionEvent } from "../../src/index.ts"

export const waitForEvent = (events: ReadonlyArray<SessionEvent>, test: (e: SessionEvent) => boolean, ms = 8000) =>
  Effect.gen(function*() {
    const deadline = Date.now() + ms
    while (!events.some(test)) {
      if (Date.now() > deadline) {
        return yield* Effect.fail(new Error(`event not seen within ${ms} ms; saw ${events.map((e) => e._tag).join(",")}`))
      }
      yield* Effect.sleep("20 millis")
    }
    return events.find(test)!
  })
