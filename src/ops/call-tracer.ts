/**
 * OpenTelemetry traces of calls, exported over OTLP/HTTP (effect/observability's OtlpTracer, used as a
 * tracer of its own so the stack's internal Effect spans are not exported): one span per call with child
 * spans for the INVITE transaction (INVITE to final answer), each re-INVITE that holds or resumes, and the
 * media session. Built from the session events, off the call path. An incoming INVITE's W3C `traceparent`
 * header makes the call span its child, so two legs of a B2BUA that pass it on share one trace.
 */
import { Clock, Context, Effect, Exit, Layer, Option, Stream, Tracer } from "effect"
import { FetchHttpClient } from "effect/http"
import { OtlpExporter, OtlpSerialization, OtlpTracer } from "effect/observability"
import { SessionCoordinator } from "../session/session-coordinator.ts"
import type { SessionEvent } from "../session/session-events.ts"
import { reasonLabel } from "./call-metrics.ts"
import { formatTraceparent, parseTraceparent } from "./traceparent.ts"

const MAX_OPEN = 100_000

interface OpenCall {
  readonly span: Tracer.Span
  invite: Tracer.Span | undefined
  media: Tracer.Span | undefined
}

export interface TracingConfig {
  /** The collector's base URL, e.g. http://127.0.0.1:4318 (spans go to /v1/traces). */
  readonly endpoint: string
  readonly serviceName: string
}

const ok = Exit.void

const follow = (tracer: Tracer.Tracer, calls: Map<string, OpenCall>, event: SessionEvent, now: bigint): void => {
  const child = (parent: Tracer.Span, name: string, kind: Tracer.SpanKind) =>
    tracer.span({ name, parent: Option.some(parent), annotations: parent.annotations, links: [], startTime: now, kind, root: false, sampled: parent.sampled })
  switch (event._tag) {
    case "IncomingCall":
    case "OutgoingCall": {
      const inbound = event._tag === "IncomingCall"
      const traceparent = inbound
        ? event.call.headers.get("traceparent")?.[0]
        : event.headers.find(([name]) => name.toLowerCase() === "traceparent")?.[1]
      const parent = traceparent === undefined ? undefined : parseTraceparent(traceparent)
      const span = tracer.span({
        name: "sip.call", parent: parent === undefined ? Option.none() : Option.some(parent), annotations: Context.empty(),
        links: [], startTime: now, kind: inbound ? "server" : "client", root: parent === undefined, sampled: parent?.sampled ?? true
      })
      span.attribute("sip.direction", inbound ? "inbound" : "outbound")
      if (inbound) {
        span.attribute("sip.call_id", event.call.callId)
        span.attribute("sip.caller", event.call.callerUri)
        span.attribute("sip.callee", event.call.calleeUri)
      } else {
        span.attribute("sip.callee", event.target)
      }
      if (calls.size >= MAX_OPEN) calls.delete(calls.keys().next().value as string)
      calls.set(event.sessionId, { span, invite: child(span, "sip.invite", inbound ? "server" : "client"), media: undefined })
      return
    }
    default:
  }
  const call = event.sessionId === undefined ? undefined : calls.get(event.sessionId)
  if (call === undefined) return
  switch (event._tag) {
    case "StateChanged":
      if (event.to === "Active" && call.invite !== undefined) {
        call.invite.attribute("sip.final", 200)
        call.invite.end(now, ok)
        call.invite = undefined
      } else if ((event.from === "Active" && event.to === "OnHold") || (event.from === "OnHold" && event.to === "Active")) {
        const reinvite = child(call.span, "sip.reinvite", "internal")
        reinvite.attribute("sip.hold", event.to === "OnHold")
        reinvite.end(now, ok)
      }
      return
    case "MediaStarted":
      call.media = child(call.span, "sip.media", "internal")
      call.media.attribute("media.codec", event.codec)
      call.media.attribute("media.remote", event.remote)
      return
    case "MediaStopped":
      if (call.media !== undefined) {
        const s = event.stats
        for (const [key, value] of Object.entries({ packets_sent: s.packetsSent, packets_received: s.packetsReceived, packets_lost: s.packetsLost, jitter_ms: s.jitterMs, mos: s.mos })) {
          call.media.attribute(`media.${key}`, value)
        }
        call.media.end(now, ok)
        call.media = undefined
      }
      return
    case "CallEnded": {
      calls.delete(event.sessionId)
      const reason = reasonLabel(event.reason)
      const failed = event.reason._tag === "Rejected" || event.reason._tag === "Failed" || event.reason._tag === "TimedOut"
      const exit = failed ? Exit.fail(reason) : ok
      if (call.invite !== undefined) {
        if (event.reason._tag === "Rejected") call.invite.attribute("sip.final", event.reason.status)
        call.invite.end(now, exit)
      }
      call.media?.end(now, ok)
      call.span.attribute("sip.end_reason", reason)
      call.span.end(now, exit)
      return
    }
    default:
  }
}

export class CallTracing extends Context.Service<CallTracing, {
  /** The `traceparent` to put on another leg of this call (CallOptions.headers) so both share one trace. */
  traceparent(sessionId: string): string | undefined
}>()("effect-sip/ops/CallTracing") {
  /** Follows the stack's calls until the scope closes; what is still buffered is exported on shutdown. */
  static readonly layer = (config: TracingConfig) =>
    Layer.effect(CallTracing, Effect.gen(function*() {
      const tracer = yield* OtlpTracer.make({
        url: new URL("/v1/traces", config.endpoint).href,
        resource: { serviceName: config.serviceName },
        exportInterval: "1 second"
      })
      const coordinator = yield* SessionCoordinator
      const calls = new Map<string, OpenCall>()
      yield* Stream.runForEach(yield* coordinator.subscribe, (event) =>
        Effect.map(Clock.currentTimeNanos, (now) => follow(tracer, calls, event, now))).pipe(Effect.forkScoped)
      // At shutdown the drain ended every call just before: let the fiber end their spans (bounded).
      yield* Effect.addFinalizer(() =>
        Effect.gen(function*() {
          while (calls.size > 0 && (yield* coordinator.activeSessions) === 0) yield* Effect.sleep("10 millis")
        }).pipe(Effect.timeoutOption("2 seconds")))
      return CallTracing.of({
        traceparent: (sessionId) => {
          const call = calls.get(sessionId)
          return call === undefined ? undefined : formatTraceparent(call.span)
        }
      })
    })).pipe(
      Layer.provide(Layer.mergeAll(OtlpExporter.layerFlusher, OtlpSerialization.layerJson, FetchHttpClient.layer))
    )
}
