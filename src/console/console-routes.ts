/**
 * The live console's routes on the operations listener, when the console is on: GET / (the page),
 * GET /api/state (calls, recent calls, captured dialogs, registrations), GET /api/ladder?callId=… (one
 * dialog's messages) and GET /events (the state as server-sent events, once a second). All guarded by the
 * listener's token (access.ts), since they show SIP messages.
 */
import { Effect, Option, Schedule, Stream } from "effect"
import { type HttpRouter, type HttpServerRequest, HttpServerResponse } from "effect/http"
import { authorized, unauthorized } from "../ops/access.ts"
import type { OpsConfig } from "../ops/ops-config.ts"
import { ConsoleState } from "./console-state.ts"
import { LadderStore } from "./ladder-store.ts"
import { consolePage } from "./page.ts"

const LADDERS_LISTED = 50

const callIdOf = (request: HttpServerRequest.HttpServerRequest): string | undefined => {
  const at = request.url.indexOf("?")
  return at < 0 ? undefined : new URLSearchParams(request.url.slice(at + 1)).get("callId") ?? undefined
}

export const addConsoleRoutes = (router: HttpRouter.HttpRouter, config: OpsConfig) =>
  Effect.gen(function*() {
    const state = yield* Effect.serviceOption(ConsoleState)
    const ladders = yield* Effect.serviceOption(LadderStore)
    if (Option.isNone(state) || Option.isNone(ladders)) return
    const snapshot = Effect.map(state.value.snapshot, (s) => ({ ...s, ladders: ladders.value.recent(LADDERS_LISTED) }))
    const guarded = (
      handler: (request: HttpServerRequest.HttpServerRequest) => Effect.Effect<HttpServerResponse.HttpServerResponse>
    ) => (request: HttpServerRequest.HttpServerRequest) => (authorized(config, request) ? handler(request) : Effect.succeed(unauthorized))
    const encoder = new TextEncoder()
    yield* router.add("GET", "/", guarded(() => Effect.succeed(HttpServerResponse.text(consolePage, { contentType: "text/html; charset=utf-8" }))))
    yield* router.add("GET", "/api/state", guarded(() => Effect.map(snapshot, (s) => HttpServerResponse.text(JSON.stringify(s), { contentType: "application/json" }))))
    yield* router.add("GET", "/api/ladder", guarded((request) => {
      const callId = callIdOf(request)
      return Effect.succeed(callId === undefined
        ? HttpServerResponse.text("callId missing\n", { status: 400 })
        : HttpServerResponse.text(JSON.stringify(ladders.value.ladder(callId)), { contentType: "application/json" }))
    }))
    const events = Stream.fromEffectSchedule(snapshot, Schedule.spaced("1 second")).pipe(
      Stream.map((s) => encoder.encode(`data: ${JSON.stringify(s)}\n\n`))
    )
    yield* router.add("GET", "/events", guarded(() => Effect.succeed(HttpServerResponse.stream(events, {
      contentType: "text/event-stream", headers: { "cache-control": "no-cache" }
    }))))
  })
