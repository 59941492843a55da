/**
 * What the live console shows besides ladders: the calls in progress (parties, state, codec, live quality
 * from the periodic QualityReport), the last 100 ended calls and the registrar's live bindings. Kept from
 * the session and registrar event streams (one fiber each, scoped); bounded like the stores they mirror.
 */
import { Clock, Context, Effect, Layer, Option, Stream } from "effect"
import { reasonLabel } from "../ops/call-metrics.ts"
import { Registrar } from "../registrar/registrar.ts"
import { SessionCoordinator } from "../session/session-coordinator.ts"
import type { SessionEvent } from "../session/session-events.ts"

const MAX_ACTIVE = 10_000
const MAX_RECENT = 100
const MAX_BINDINGS = 10_000

export interface ConsoleCall {
  readonly sessionId: string
  readonly callId: string
  readonly direction: "inbound" | "outbound"
  readonly caller: string
  readonly callee: string
  state: string
  readonly startedAt: number
  answeredAt: number | undefined
  endedAt: number | undefined
  endReason: string | undefined
  codec: string | undefined
  mos: number | undefined
  lossFraction: number | undefined
}

export interface ConsoleBinding {
  readonly aor: string
  readonly contact: string
  readonly expiresAt: number
}

export interface ConsoleSnapshot {
  readonly nowMs: number
  readonly active: ReadonlyArray<ConsoleCall>
  readonly recent: ReadonlyArray<ConsoleCall>
  readonly registrations: ReadonlyArray<ConsoleBinding> | undefined
}

const apply = (active: Map<string, ConsoleCall>, recent: Array<ConsoleCall>, event: SessionEvent, now: number): void => {
  if (event._tag === "IncomingCall" || event._tag === "OutgoingCall") {
    if (active.size >= MAX_ACTIVE) return
    const parties = event._tag === "IncomingCall"
      ? { callId: event.call.callId, direction: "inbound" as const, caller: event.call.callerUri, callee: event.call.calleeUri }
      : { callId: "", direction: "outbound" as const, caller: "", callee: event.target }
    active.set(event.sessionId, {
      sessionId: event.sessionId, ...parties, state: "Initiating", startedAt: now, answeredAt: undefined, endedAt: undefined,
      endReason: undefined, codec: undefined, mos: undefined, lossFraction: undefined
    })
    return
  }
  const call = event.sessionId === undefined ? undefined : active.get(event.sessionId)
  if (call === undefined) return
  switch (event._tag) {
    case "StateChanged":
      call.state = event.to
      if (event.to === "Active" && call.answeredAt === undefined) call.answeredAt = now
      return
    case "MediaStarted":
      call.codec = event.codec
      return
    case "QualityReport":
    case "MediaStopped":
      if (event.stats.packetsReceived > 0) {
        call.mos = event.stats.mos
        call.lossFraction = event.stats.lossFraction
      }
      return
    case "CallEnded":
      active.delete(event.sessionId)
      call.state = "Terminated"
      call.endedAt = now
      call.endReason = reasonLabel(event.reason)
      recent.unshift(call)
      if (recent.length > MAX_RECENT) recent.pop()
      return
  }
}

export class ConsoleState extends Context.Service<ConsoleState, {
  readonly snapshot: Effect.Effect<ConsoleSnapshot>
}>()("effect-sip/console/ConsoleState") {
  static readonly layer = Layer.effect(ConsoleState, Effect.gen(function*() {
    const coordinator = yield* SessionCoordinator
    const active = new Map<string, ConsoleCall>()
    const recent: Array<ConsoleCall> = []
    yield* Stream.runForEach(yield* coordinator.subscribe, (event) =>
      Effect.map(Clock.currentTimeMillis, (now) => apply(active, recent, event, now))).pipe(Effect.forkScoped)
    const registrar = yield* Effect.serviceOption(Registrar)
    const bindings = new Map<string, ConsoleBinding>()
    if (Option.isSome(registrar)) {
      yield* Stream.runForEach(registrar.value.events, (event) => Effect.sync(() => {
        const key = `${event.binding.aor} ${event.binding.uri}`
        if (event._tag === "Registered" || event._tag === "Refreshed") {
          if (bindings.size < MAX_BINDINGS || bindings.has(key)) {
            bindings.set(key, { aor: event.binding.aor, contact: event.binding.uri, expiresAt: event.binding.expiresAt })
          }
        } else {
          bindings.delete(key)
        }
      })).pipe(Effect.forkScoped)
    }
    return ConsoleState.of({
      snapshot: Effect.map(Clock.currentTimeMillis, (nowMs) => ({
        nowMs,
        active: [...active.values()].map((call) => ({ ...call })),
        recent: recent.map((call) => ({ ...call })),
        registrations: Option.isSome(registrar) ? [...bindings.values()] : undefined
      }))
    })
  }))
}
