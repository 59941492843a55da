/**
 * The location service in memory: for tests and for a registrar that need not survive a restart.
 */
import { Effect, Layer } from "effect"
import type { Binding } from "./binding.ts"
import { LocationService } from "./location.ts"

export const LocationMemory = {
  layer: Layer.sync(LocationService, () => {
    const table = new Map<string, ReadonlyArray<Binding>>()
    return LocationService.of({
      lookup: (aor) => Effect.sync(() => table.get(aor) ?? []),
      // Synchronous: nothing runs between the read and the write.
      update: (aor, decide) =>
        Effect.sync(() => {
          const decision = decide(table.get(aor) ?? [])
          if (decision.bindings !== undefined) {
            if (decision.bindings.length === 0) table.delete(aor)
            else table.set(aor, decision.bindings)
          }
          return decision.result
        }),
      expire: (now) =>
        Effect.sync(() => {
          const gone: Array<Binding> = []
          for (const [aor, bindings] of table) {
            const kept = bindings.filter((b) => b.expiresAt > now)
            if (kept.length === bindings.length) continue
            for (const b of bindings) if (b.expiresAt <= now) gone.push(b)
            if (kept.length === 0) table.delete(aor)
            else table.set(aor, kept)
          }
          return gone
        })
    })
  })
}
