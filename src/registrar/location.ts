/**
 * The location service (RFC 3261 §10.2): AOR → bindings. A Layer with several back ends: in memory
 * (tests), SQLite in a data directory (the default, survives restarts) and PostgreSQL (shared by several
 * servers), in src/storage. `update` is atomic per call, so concurrent REGISTERs for one AOR never lose a binding.
 */
import { Context, type Effect, Schema } from "effect"
import type { Binding } from "./binding.ts"

export class LocationError extends Schema.TaggedError<LocationError>()("LocationError", {
  reason: Schema.Literals(["Unavailable", "Query"]),
  message: Schema.String,
  cause: Schema.optional(Schema.Defect())
}) {}

/** What `update` writes back: the AOR's new bindings, or undefined to leave them as they are. */
export interface Decision<A> {
  readonly bindings: ReadonlyArray<Binding> | undefined
  readonly result: A
}

export class LocationService extends Context.Service<LocationService, {
  /** The AOR's bindings, expired ones included (the caller knows the time). */
  lookup(aor: string): Effect.Effect<ReadonlyArray<Binding>, LocationError>
  /** Read the AOR's bindings, decide, write the decision: as one step. */
  update<A>(aor: string, decide: (current: ReadonlyArray<Binding>) => Decision<A>): Effect.Effect<A, LocationError>
  /** Remove and return every binding whose time is up at `now` (epoch ms). */
  expire(now: number): Effect.Effect<ReadonlyArray<Binding>, LocationError>
}>()("effect-sip/registrar/LocationService") {}
