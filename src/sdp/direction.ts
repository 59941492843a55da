/**
 * Direction attributes as send/receive flags (RFC 3264 §6.1 and §8.4): what we may do is what the peer's
 * description allows from its side, reversed, limited by what we want.
 */
import type { Direction } from "./negotiated.ts"

export const sends = (direction: Direction): boolean => direction === "sendrecv" || direction === "sendonly"

export const receives = (direction: Direction): boolean => direction === "sendrecv" || direction === "recvonly"

export const fromFlags = (send: boolean, receive: boolean): Direction =>
  send ? (receive ? "sendrecv" : "sendonly") : receive ? "recvonly" : "inactive"

/**
 * The peer's direction as it applies: with the legacy hold address c=0.0.0.0 (RFC 3264 §8.4, from
 * RFC 2543) it cannot receive, whatever its a= line says.
 */
export const effectiveRemote = (direction: Direction, nullAddress: boolean): Direction =>
  nullAddress ? fromFlags(sends(direction), false) : direction

/**
 * Our direction given the peer's (offered or answered) one and ours: we send only if the peer receives
 * and we want to send; we receive only if the peer sends and we want to. So an offered sendonly is
 * answered recvonly, recvonly → sendonly, inactive → inactive, sendrecv → whatever we want (§6.1).
 */
export const ourDirection = (remote: Direction, wanted: Direction): Direction =>
  fromFlags(receives(remote) && sends(wanted), sends(remote) && receives(wanted))
