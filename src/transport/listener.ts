/**
 * What the UDP and TCP listeners give the Transport layer, and the bind error they share.
 */
import { NetworkError } from "../errors.ts"
import type { Effect } from "effect"
import type { Endpoint } from "./transport.ts"

export interface Listener {
  readonly local: Endpoint
  /** Bound port (may differ from `local` only in host). */
  readonly port: number
  readonly send: (bytes: Uint8Array, destination: Endpoint) => Effect.Effect<void, NetworkError>
}

/** A socket open error → NetworkError "BindFailed" with a message a human can act on ("port 5060 already in use"). */
export const bindFailed = (address: string, kind: string, cause: unknown): NetworkError =>
  new NetworkError({
    reason: "BindFailed",
    address,
    message: kind === "AddressInUse"
      ? `port ${address.slice(address.lastIndexOf(":") + 1)} already in use (${address})`
      : kind === "PermissionDenied"
      ? `permission denied binding ${address}`
      : kind === "AddressNotAvailable"
      ? `address not available: ${address}`
      : `cannot bind ${address}`,
    cause
  })
