/**
 * Folds the session event stream into call detail records: a call's parties and start from
 * IncomingCall/OutgoingCall, its answer from the first Active, its codec and quality from the media
 * events, and its record when CallEnded arrives. Bounded: calls whose end the stream dropped are evicted.
 */
import type { SessionEvent } from "../session/session-events.ts"
import { reasonLabel } from "../ops/call-metrics.ts"
import type { Cdr } from "./cdr.ts"

const MAX_OPEN = 100_000

interface Open {
  readonly callId: string
  readonly direction: "inbound" | "outbound"
  readonly caller: string
  readonly callee: string
  readonly startedAt: number
  answeredAt: number | undefined
  codec: string | undefined
  mos: number | undefined
  packetsLost: number | undefined
  lossFraction: number | undefined
}

/** `observe` takes each event (with the time it was seen) and gives back a finished record or undefined;
 *  `openCalls` counts the calls seen starting and not yet ended; `closeAll` ends them. */
export const makeCdrBuilder = (localUri: string) => {
  const open = new Map<string, Open>()
  const start = (sessionId: string, call: Open) => {
    if (open.size >= MAX_OPEN) open.delete(open.keys().next().value as string)
    open.set(sessionId, call)
  }
  const observe = (event: SessionEvent, now: number): Cdr | undefined => {
    switch (event._tag) {
      case "IncomingCall": {
        const c = event.call
        start(event.sessionId, { callId: c.callId, direction: "inbound", caller: c.callerUri, callee: c.calleeUri, startedAt: now, answeredAt: undefined, codec: undefined, mos: undefined, packetsLost: undefined, lossFraction: undefined })
        return undefined
      }
      case "OutgoingCall":
        start(event.sessionId, { callId: "", direction: "outbound", caller: localUri, callee: event.target, startedAt: now, answeredAt: undefined, codec: undefined, mos: undefined, packetsLost: undefined, lossFraction: undefined })
        return undefined
      case "StateChanged": {
        const call = open.get(event.sessionId)
        if (call !== undefined && event.to === "Active" && call.answeredAt === undefined) call.answeredAt = now
        return undefined
      }
      case "MediaStarted": {
        const call = open.get(event.sessionId)
        if (call !== undefined) call.codec = event.codec
        return undefined
      }
      case "MediaStopped": {
        const call = open.get(event.sessionId)
        if (call !== undefined && event.stats.packetsReceived > 0) {
          call.mos = event.stats.mos
          call.packetsLost = event.stats.packetsLost
          call.lossFraction = event.stats.lossFraction
        }
        return undefined
      }
      case "CallEnded": {
        const call = open.get(event.sessionId)
        if (call === undefined) return undefined
        open.delete(event.sessionId)
        return {
          sessionId: event.sessionId,
          ...call,
          endedAt: now,
          durationSeconds: call.answeredAt === undefined ? 0 : (now - call.answeredAt) / 1000,
          endReason: reasonLabel(event.reason),
          status: event.reason._tag === "Rejected" ? event.reason.status : undefined
        }
      }
      default:
        return undefined
    }
  }
  /** At shutdown: a record for every call still open, ended now by "shutdown" (none is lost). */
  const closeAll = (now: number): ReadonlyArray<Cdr> => {
    const shutdown = { _tag: "CallEnded", reason: { _tag: "Shutdown" } } as const
    const records = [...open.keys()].map((sessionId) => observe({ ...shutdown, sessionId }, now))
    return records.filter((record): record is Cdr => record !== undefined)
  }
  return { observe, closeAll, openCalls: () => open.size }
}
