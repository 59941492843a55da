/**
 * The registrar as a usage of the dialog layer (src/dialog/usage.ts): with this layer in a stack, REGISTER
 * is allowed (and in Allow) and answered by the Registrar; without it, 405 as before.
 */
import { Effect, Layer } from "effect"
import { RequestUsages } from "../dialog/usage.ts"
import { Registrar } from "./registrar.ts"

export const RegistrarUsage = {
  layer: Layer.effect(
    RequestUsages,
    Effect.gen(function*() {
      const registrar = yield* Registrar
      const others = yield* RequestUsages
      return [...others, { methods: ["REGISTER"], handle: ({ request }) => registrar.register(request) }]
    })
  )
}
