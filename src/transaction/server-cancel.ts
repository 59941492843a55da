/**
 * CANCEL on the server side (§9.2): a CANCEL is its own non-INVITE server transaction; the layer
 * answers it itself. Matching a pending INVITE (no final response yet): 200 and CancelReceived up (the
 * TU answers the INVITE with 487). Matching an INVITE already answered: 200, no effect. No match: 481.
 */
import { Effect, Queue } from "effect"
import { getHeader, isParseError, makeResponse, newTag, parseNameAddr } from "../sip/index.ts"
import type { SipResponse } from "../sip/message.ts"
import type { LayerContext, ServerTx } from "./context.ts"
import { respondNonInvite } from "./non-invite-server.ts"

/** §9.2: the To tag of the CANCEL's response SHOULD be the one the INVITE's responses carry. */
const toTagOf = (response: SipResponse | undefined): string => {
  const to = response === undefined ? undefined : getHeader(response, "to")
  const parsed = to === undefined ? undefined : parseNameAddr(to)
  return parsed === undefined || isParseError(parsed) || parsed.tag === undefined ? newTag() : parsed.tag
}

/** `cancel` is the new CANCEL server transaction; `invite` what its key (with method INVITE) matched. */
export const onCancel = Effect.fnUntraced(function*(ctx: LayerContext, cancel: ServerTx, invite: ServerTx | undefined) {
  if (invite === undefined || !invite.invite) {
    const response = makeResponse(cancel.request, 481, "Call/Transaction Does Not Exist", { toTag: newTag() })
    return yield* Effect.ignore(respondNonInvite(ctx, cancel, response))
  }
  const pending = invite.state === "proceeding"
  yield* Effect.ignore(respondNonInvite(ctx, cancel, makeResponse(cancel.request, 200, "OK", { toTag: toTagOf(invite.last) })))
  if (pending) yield* Queue.offer(ctx.events, { _tag: "CancelReceived", invite, cancel: cancel.request })
})
