/**
 * Reliable provisionals at the UAC (RFC 3262 §4): each 18x that requires 100rel is PRACKed in its own
 * early dialog (forking: one RSeq space per To-tag), in RSeq order. A retransmission (an RSeq already
 * PRACKed) or one out of order is not reported again; the PRACK's own transaction retransmits it.
 * After a late-offer INVITE the first SDP the peer sends on a dialog is its offer (§5): our answer goes
 * in the PRACK of that 18x, or in the ACK when it only comes in the 2xx.
 */
import { Effect, FiberSet } from "effect"
import { cseqOf, getHeader } from "../sip/index.ts"
import type { SipResponse } from "../sip/message.ts"
import type { DialogContext } from "./context.ts"
import type { Body } from "./dialog-layer.ts"
import type { Dialog } from "./dialog-state.ts"
import type { PendingOutgoing } from "./dialog-store.ts"
import { request } from "./in-dialog-request.ts"

const requires100rel = (response: SipResponse): boolean => {
  for (const h of response.headers) if (h.key === "require" && h.value.trim().toLowerCase() === "100rel") return true
  return false
}

/** Our answer when `response` carries the peer's offer on `dialog` (late offer, not yet answered there). */
export const answerToOffer = (outgoing: PendingOutgoing, dialog: Dialog, response: SipResponse): Body | undefined => {
  if (outgoing.answer === undefined || response.body.length === 0 || dialog.offerAnswered === true) return undefined
  dialog.offerAnswered = true
  return outgoing.answer({ contentType: getHeader(response, "content-type") ?? "application/sdp", bytes: response.body })
}

/** PRACK `response` if it is reliable; false when it is a repeat (or out of order) and must not be reported. */
export const prackIfReliable = Effect.fnUntraced(function*(
  ctx: DialogContext,
  outgoing: PendingOutgoing,
  dialog: Dialog,
  response: SipResponse
) {
  if (!requires100rel(response)) return true
  const rseq = Number(response.headers.find((h) => h.key === "rseq")?.value)
  // §4: without a valid RSeq it is no reliable provisional; treat it as unreliable.
  if (!Number.isInteger(rseq) || rseq < 1) return true
  if (dialog.lastRSeq !== undefined && rseq !== dialog.lastRSeq + 1) return false
  dialog.lastRSeq = rseq
  const rack = `${rseq} ${cseqOf(response)?.seq ?? 1} INVITE`
  const body = answerToOffer(outgoing, dialog, response)
  const options = { headers: [["RAck", rack]] as const, ...(body === undefined ? {} : { body }) }
  yield* FiberSet.run(ctx.background, request(ctx, dialog.id, "PRACK", options).pipe(Effect.ignore))
  return true
})
