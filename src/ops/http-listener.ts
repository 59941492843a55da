/**
 * The operations HTTP listener (effect/http on NodeHttpServer): GET /metrics (Prometheus text, the stack's,
 * the calls' and the process's metrics in a registry of this listener's own), GET /healthz (alive) and
 * GET /readyz (readiness.ts). Bound to 127.0.0.1 unless told; beyond loopback /metrics needs the token.
 */
import { NodeHttpServer } from "@effect/platform-node"
import { Effect, Layer, Metric } from "effect"
import { HttpRouter, HttpServerResponse } from "effect/http"
import { PrometheusMetrics } from "effect/observability"
import { createServer } from "node:http"
import { addConsoleRoutes } from "../console/console-routes.ts"
import { authorized, unauthorized } from "./access.ts"
import { trackCalls } from "./call-metrics.ts"
import type { OpsConfig } from "./ops-config.ts"
import { makeProcessMetrics } from "./process-metrics.ts"
import { Readiness } from "./readiness.ts"
import { makeRegistrarMetrics } from "./registrar-metrics.ts"
import { makeStackMetrics } from "./stack-metrics.ts"

const PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8"

const routes = (config: OpsConfig) =>
  Layer.effectDiscard(Effect.gen(function*() {
    const router = yield* HttpRouter.HttpRouter
    const readiness = yield* Readiness
    const registry: Metric.MetricRegistry = new Map()
    const inRegistry = Effect.provideService(Metric.MetricRegistry, registry)
    yield* inRegistry(trackCalls)
    const refreshStack = yield* makeStackMetrics
    const refreshProcess = yield* inRegistry(makeProcessMetrics)
    const refreshRegistrar = yield* inRegistry(makeRegistrarMetrics)
    const metrics = inRegistry(Effect.gen(function*() {
      yield* refreshStack
      yield* refreshProcess
      yield* refreshRegistrar
      return yield* PrometheusMetrics.format()
    }))
    yield* router.add("GET", "/metrics", (request) =>
      authorized(config, request)
        ? Effect.map(metrics, (body) => HttpServerResponse.text(body, { contentType: PROMETHEUS_TEXT }))
        : Effect.succeed(unauthorized))
    yield* addConsoleRoutes(router, config)
    yield* router.add("GET", "/healthz", HttpServerResponse.text("ok\n"))
    yield* router.add("GET", "/readyz", Effect.map(readiness.notReadyBecause, (why) =>
      why === undefined ? HttpServerResponse.text("ready\n") : HttpServerResponse.text(`${why}\n`, { status: 503 })))
  }))

export const OpsHttp = {
  /** Needs the SipStack's services and Readiness; outputs the HttpServer (its bound address). */
  layer: (config: OpsConfig) =>
    HttpRouter.serve(routes(config), { disableLogger: true, disableListenLog: true }).pipe(
      Layer.provideMerge(NodeHttpServer.layer(() => createServer(), { host: config.host, port: config.port }))
    )
}
