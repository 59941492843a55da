/**
 * Call metrics from the session event stream: calls started, answered and ended (by direction and end
 * reason), INVITE→final setup time, and each finished call's RTP totals, jitter and MOS. Runs as one fiber
 * on its own subscription, so the call path pays nothing beyond the events it already publishes.
 */
import { Effect, Metric, Stream } from "effect"
import type { EndReason } from "../session/call-state.ts"
import { SessionCoordinator } from "../session/session-coordinator.ts"
import type { SessionEvent } from "../session/session-events.ts"

type Direction = "inbound" | "outbound"

/** Calls being set up or in progress, by session id; bounded in case the event stream dropped an end. */
const MAX_TRACKED = 100_000

const started = Metric.counter("effect_sip_calls_started_total", { description: "Calls started, by direction" })
const answered = Metric.counter("effect_sip_calls_answered_total", { description: "Calls answered (2xx), by direction" })
const ended = Metric.counter("effect_sip_calls_ended_total", { description: "Calls ended, by direction and reason" })
const setupSeconds = Metric.histogram("effect_sip_call_setup_seconds", {
  description: "Time from the INVITE to its final answer (2xx or failure), by direction",
  boundaries: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60]
})
const rtpPackets = Metric.counter("effect_sip_rtp_packets_total", { description: "RTP packets of finished media sessions, by direction" })
const rtpBytes = Metric.counter("effect_sip_rtp_bytes_total", { description: "RTP payload bytes of finished media sessions, by direction" })
const rtpLost = Metric.counter("effect_sip_rtp_packets_lost_total", { description: "RTP packets lost (sequence gaps) in finished media sessions" })
const jitterSeconds = Metric.histogram("effect_sip_rtp_jitter_seconds", {
  description: "Interarrival jitter of each finished media session (RFC 3550 A.8)",
  boundaries: [0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1]
})
const mos = Metric.histogram("effect_sip_call_mos", {
  description: "E-model MOS estimate of each finished media session",
  boundaries: [1, 2, 2.5, 3, 3.5, 3.8, 4, 4.2, 4.3, 4.4, 4.5]
})

const byDirection = <M extends Metric.Metric<number, unknown>>(metric: M) => ({
  inbound: Metric.withAttributes(metric, { direction: "inbound" }),
  outbound: Metric.withAttributes(metric, { direction: "outbound" })
})
const startedBy = byDirection(started)
const answeredBy = byDirection(answered)
const setupBy = byDirection(setupSeconds)

/** A bounded label for why a call ended. */
export const reasonLabel = (reason: EndReason): string => {
  switch (reason._tag) {
    case "NormalClearing": return "normal_clearing"
    case "Cancelled": return "cancelled"
    case "Rejected": return "rejected"
    case "TimedOut": return "timed_out"
    case "Failed": return "failed"
    case "Shutdown": return "shutdown"
    case "SessionExpired": return "session_expired"
  }
}

interface Tracked {
  readonly direction: Direction
  readonly startedAt: number
  finalSeen: boolean
}

const observe = (calls: Map<string, Tracked>, event: SessionEvent, now: number): Effect.Effect<void> => {
  switch (event._tag) {
    case "IncomingCall":
    case "OutgoingCall": {
      const direction: Direction = event._tag === "IncomingCall" ? "inbound" : "outbound"
      if (calls.size >= MAX_TRACKED) calls.delete(calls.keys().next().value as string)
      calls.set(event.sessionId, { direction, startedAt: now, finalSeen: false })
      return Metric.update(startedBy[direction], 1)
    }
    case "StateChanged": {
      const call = calls.get(event.sessionId)
      if (call === undefined || call.finalSeen || event.to !== "Active") return Effect.void
      call.finalSeen = true
      return Effect.andThen(
        Metric.update(answeredBy[call.direction], 1),
        Metric.update(setupBy[call.direction], (now - call.startedAt) / 1000)
      )
    }
    case "CallEnded": {
      const call = calls.get(event.sessionId)
      if (call === undefined) return Effect.void
      calls.delete(event.sessionId)
      const count = Metric.update(Metric.withAttributes(ended, { direction: call.direction, reason: reasonLabel(event.reason) }), 1)
      // A call that never got its 2xx got a failure final: that is its setup time too.
      return call.finalSeen ? count : Effect.andThen(count, Metric.update(setupBy[call.direction], (now - call.startedAt) / 1000))
    }
    case "MediaStopped": {
      const s = event.stats
      return Effect.all([
        Metric.update(Metric.withAttributes(rtpPackets, { direction: "sent" }), s.packetsSent),
        Metric.update(Metric.withAttributes(rtpPackets, { direction: "received" }), s.packetsReceived),
        Metric.update(Metric.withAttributes(rtpBytes, { direction: "sent" }), s.bytesSent),
        Metric.update(Metric.withAttributes(rtpBytes, { direction: "received" }), s.bytesReceived),
        Metric.update(rtpLost, s.packetsLost),
        s.packetsReceived > 0 ? Metric.update(jitterSeconds, s.jitterMs / 1000) : Effect.void,
        s.packetsReceived > 0 ? Metric.update(mos, s.mos) : Effect.void
      ], { discard: true })
    }
    default:
      return Effect.void
  }
}

/** Follows the coordinator's events until the scope closes; metrics go to the MetricRegistry in context. */
export const trackCalls = Effect.gen(function*() {
  const coordinator = yield* SessionCoordinator
  const events = yield* coordinator.subscribe
  const calls = new Map<string, Tracked>()
  yield* Stream.runForEach(events, (event) =>
    Effect.flatMap(Effect.clockWith((clock) => clock.currentTimeMillis), (now) => observe(calls, event, now))
  ).pipe(Effect.forkScoped)
})
