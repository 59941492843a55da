/**
 * A copy of every SIP message the transport sends and receives, for capture (HEP to Homer, the live
 * console's ladders). Optional: the transport looks for a MessageTap in its context when it is built, and
 * without one pays nothing. `capture` is synchronous and must not block: sinks queue what they keep.
 */
import { Context } from "effect"
import type { Endpoint } from "./transport.ts"

export interface CapturedMessage {
  readonly direction: "in" | "out"
  /** The message as sent, or as re-serialized after parsing (received). */
  readonly bytes: Uint8Array
  readonly local: Endpoint
  readonly remote: Endpoint
  /** Epoch ms (the stack's Clock). */
  readonly atMs: number
}

export class MessageTap extends Context.Service<MessageTap, {
  readonly capture: (message: CapturedMessage) => void
}>()("effect-sip/transport/MessageTap") {}

/** One tap that hands each message to every one of `taps`. */
export const fanOut = (taps: ReadonlyArray<MessageTap["Service"]>): MessageTap["Service"] => ({
  capture: (message) => {
    for (const tap of taps) tap.capture(message)
  }
})
