/**
 * A store that cannot be opened, created or migrated fails its layer with one LocationError
 * "Unavailable" naming what failed (main.ts prints it and exits).
 */
import { Effect, Layer } from "effect"
import { LocationError } from "../registrar/location.ts"

export const unavailable = (message: string) => (cause: unknown) =>
  new LocationError({ reason: "Unavailable", message: `${message}: ${String((cause as { message?: unknown })?.message ?? cause)}`, cause })

export const failsAsUnavailable = <A, E, R>(layer: Layer.Layer<A, E, R>, message: string): Layer.Layer<A, LocationError, R> =>
  Layer.effectContext(Effect.mapError(Layer.build(layer), unavailable(message)))
