/**
 * The live console's memory of SIP messages: every captured message (a MessageTap sink), grouped by
 * Call-ID, for ladder diagrams. Bounded three ways: the most recent 500 Call-IDs, 100 messages each, 16 KiB
 * of text per message. Holds message text, which may carry user names and SDP: served only to those
 * allowed to see the console (see console-routes.ts).
 */
import { Context, Effect, Layer } from "effect"
import { scanCallId } from "../capture/call-id-scan.ts"
import { type CapturedMessage, MessageTap } from "../transport/message-tap.ts"

const MAX_CALLS = 500
const MAX_MESSAGES = 100
const MAX_TEXT = 16 * 1024

export interface LadderMessage {
  readonly atMs: number
  readonly direction: "in" | "out"
  readonly from: string
  readonly to: string
  /** The request or status line. */
  readonly firstLine: string
  readonly text: string
}

export interface LadderSummary {
  readonly callId: string
  readonly firstAtMs: number
  readonly lastAtMs: number
  readonly messages: number
  /** The first message's first line (e.g. "INVITE sip:bob@…"). */
  readonly opening: string
}

const decoder = new TextDecoder("utf-8", { fatal: false })
const address = (endpoint: { readonly host: string; readonly port: number }) =>
  endpoint.host.includes(":") ? `[${endpoint.host}]:${endpoint.port}` : `${endpoint.host}:${endpoint.port}`

export class LadderStore extends Context.Service<LadderStore, {
  /** Messages of one Call-ID, oldest first (empty when unknown or evicted). */
  ladder(callId: string): ReadonlyArray<LadderMessage>
  /** The Call-IDs held, most recent activity first. */
  recent(limit: number): ReadonlyArray<LadderSummary>
  readonly tap: MessageTap["Service"]
}>()("effect-sip/console/LadderStore") {
  static readonly layer = Layer.effect(LadderStore, Effect.sync(() => {
    const calls = new Map<string, Array<LadderMessage>>()
    const capture = (message: CapturedMessage) => {
      const callId = scanCallId(message.bytes)
      if (callId === undefined) return
      const whole = decoder.decode(message.bytes)
      const text = whole.length > MAX_TEXT ? `${whole.slice(0, MAX_TEXT)}\n[… ${whole.length - MAX_TEXT} more characters]` : whole
      const local = address(message.local)
      const remote = address(message.remote)
      let messages = calls.get(callId)
      if (messages === undefined) {
        if (calls.size >= MAX_CALLS) calls.delete(calls.keys().next().value as string)
        messages = []
      } else {
        calls.delete(callId) // re-inserted below: Map order is recency
      }
      calls.set(callId, messages)
      if (messages.length >= MAX_MESSAGES) return
      messages.push({
        atMs: message.atMs,
        direction: message.direction,
        from: message.direction === "in" ? remote : local,
        to: message.direction === "in" ? local : remote,
        firstLine: text.slice(0, Math.max(0, text.indexOf("\r\n"))) || text.slice(0, 80),
        text
      })
    }
    return LadderStore.of({
      ladder: (callId) => calls.get(callId) ?? [],
      recent: (limit) => {
        const out: Array<LadderSummary> = []
        for (const [callId, messages] of [...calls].reverse()) {
          if (out.length >= limit) break
          if (messages.length === 0) continue
          out.push({ callId, firstAtMs: messages[0].atMs, lastAtMs: messages[messages.length - 1].atMs, messages: messages.length, opening: messages[0].firstLine })
        }
        return out
      },
      tap: { capture }
    })
  }))
}
