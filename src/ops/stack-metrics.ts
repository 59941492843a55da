/**
 * Metrics read from the stack's own counters when Prometheus scrapes: messages, parse errors, UDP receive
 * drops, retransmissions, responses by status code, overload rejections, and the live object counts. The
 * hot path keeps its plain numbers; this turns them into Effect metrics only at scrape time.
 */
import { Effect, Metric } from "effect"
import { SipStack } from "../api/sip-stack.ts"
import { TransactionLayer } from "../transaction/transaction-layer.ts"
import { Transport } from "../transport/transport.ts"

const counter = (name: string, description: string) => Metric.counter(name, { description })
const gauge = (name: string, description: string) => Metric.gauge(name, { description })

const received = counter("effect_sip_messages_received_total", "SIP messages received")
const sent = counter("effect_sip_messages_sent_total", "SIP messages sent")
const parseErrors = counter("effect_sip_parse_errors_total", "Messages that failed to parse (answered 400/505/513 where possible)")
const udpDrops = counter("effect_sip_udp_receive_drops_total", "Datagrams the kernel dropped from a full UDP receive buffer")
const overload = counter("effect_sip_overload_rejections_total", "New INVITEs answered 503 by overload protection")
const retransSent = counter("effect_sip_retransmissions_sent_total", "Requests and responses sent again (Timers A, E, G and answers to repeats)")
const retransReceived = counter("effect_sip_retransmissions_received_total", "Requests received again for a live transaction")
const responsesSent = counter("effect_sip_responses_sent_total", "Responses sent, by status code")
const responsesReceived = counter("effect_sip_responses_received_total", "Responses received, by status code")
const active = gauge("effect_sip_calls_active", "Calls in progress")
const dialogs = gauge("effect_sip_dialogs", "Dialogs held")
const transactions = gauge("effect_sip_transactions", "Live transactions, by kind")
const rtpPorts = gauge("effect_sip_rtp_ports_in_use", "RTP/RTCP port pairs in use")
const connections = gauge("effect_sip_connections_open", "Open TCP/TLS/WebSocket connections")

/** Counters only move forward: each scrape adds what changed since the last one. */
const makeCounterWriter = () => {
  const last = new Map<Metric.Metric<number, unknown>, number>()
  return (metric: Metric.Metric<number, unknown>, value: number): Effect.Effect<void> => {
    const delta = value - (last.get(metric) ?? 0)
    last.set(metric, value)
    return Metric.update(metric, Math.max(0, delta))
  }
}

/** Per status code, the labelled counter is made once and kept (at most 600 of each). */
const byCode = (metric: Metric.Metric<number, unknown>) => {
  const made = new Map<number, Metric.Metric<number, unknown>>()
  return (code: number) => {
    let labelled = made.get(code)
    if (labelled === undefined) {
      labelled = Metric.withAttributes(metric, { code: String(code) })
      made.set(code, labelled)
    }
    return labelled
  }
}

/** An Effect that brings the stack's metrics up to date; run it before formatting. */
export const makeStackMetrics = Effect.gen(function*() {
  const stack = yield* SipStack
  const transport = yield* Transport
  const layer = yield* TransactionLayer
  const write = makeCounterWriter()
  const sentByCode = byCode(responsesSent)
  const receivedByCode = byCode(responsesReceived)
  return Effect.gen(function*() {
    const t = yield* transport.stats
    const x = yield* layer.stats
    const counts = yield* stack.counts
    yield* write(received, t.received)
    yield* write(sent, t.sent)
    yield* write(parseErrors, t.malformed)
    yield* write(udpDrops, t.dropped)
    yield* write(overload, yield* stack.rejectedForOverload)
    yield* write(retransSent, x.retransmissionsSent)
    yield* write(retransReceived, x.retransmissionsReceived)
    for (const [code, n] of x.responsesSent) yield* write(sentByCode(code), n)
    for (const [code, n] of x.responsesReceived) yield* write(receivedByCode(code), n)
    yield* Metric.update(active, counts.sessions)
    yield* Metric.update(dialogs, counts.dialogs)
    yield* Metric.update(Metric.withAttributes(transactions, { kind: "client" }), counts.clientTransactions)
    yield* Metric.update(Metric.withAttributes(transactions, { kind: "server" }), counts.serverTransactions)
    yield* Metric.update(rtpPorts, counts.rtpPorts)
    yield* Metric.update(connections, t.openConnections)
  })
})
