/**
 * RFC 3263 §4.3: a new request whose transaction fails at the transport, times out, or gets a 503 goes
 * to the next address of the located list. Other failures are the peer's answer and end the attempt.
 */
import { isIP } from "node:net"
import type { Endpoint } from "../transport/transport.ts"

/** A transport error or a transaction timeout (Timer B/F): the next target may do better. */
export const failsOver = (error: unknown): boolean => {
  if (typeof error !== "object" || error === null || !("_tag" in error)) return false
  const { _tag, reason } = error as { _tag: unknown; reason?: unknown }
  return _tag === "NetworkError" || (_tag === "ProtocolError" && reason === "TransactionTimeout")
}

/** 503 Service Unavailable on a new request: the server is out of order, try the next (§4.3). */
export const unavailable = (status: number): boolean => status === 503

/** RFC 4568 §8.3: SDES keys are only as secret as the signalling that carries them. */
export const secureSignalling = (transport: Endpoint["transport"]): boolean => transport === "tls" || transport === "wss"

/** An IP literal needs no DNS: the hot path places calls to it as they are. */
export const needsDns = (destination: Endpoint): boolean => isIP(destination.host) === 0
