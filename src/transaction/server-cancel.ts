/**
 * CANCEL on the server side (§9.2): a CANCEL is its own non-INVITE server transaction; the layer
 * answers it itself. Matching a pending INVITE (no final response yet): 200 and CancelReceived up (the
 * TU answers the INVITE with 487). Matching an INVITE already answered: 200, no effect. No match: 481.
 */
import { Effect, Queue } from "effect"
import { makeResponse, newTag } from "../sip/index.ts"
import type { LayerContext, Lingering, ServerTx } from "./context.ts"
import { toTagOf } from "./lingering.ts"
import { respondNonInvite } from "./non-invite-server.ts"

/** `cancel` is the new CANCEL server transaction; `invite` what its key (with method INVITE) matched: a
 *  live transaction or one already answered with a 2xx and lingering. */
export const onCancel = Effect.fnUntraced(function*(ctx: LayerContext, cancel: ServerTx, invite: ServerTx | Lingering | undefined) {
  if (invite === undefined || !invite.invite) {
    const response = makeResponse(cancel.request, 481, "Call/Transaction Does Not Exist", { toTag: newTag() })
    return yield* Effect.ignore(respondNonInvite(ctx, cancel, response))
  }
  // §9.2: the To tag of the CANCEL's response SHOULD be the one the INVITE's responses carry.
  const pending = "request" in invite && invite.state === "proceeding" ? invite : undefined
  const toTag = ("request" in invite ? toTagOf(invite.last) : invite.toTag) ?? newTag()
  yield* Effect.ignore(respondNonInvite(ctx, cancel, makeResponse(cancel.request, 200, "OK", { toTag })))
  if (pending !== undefined) yield* Queue.offer(ctx.events, { _tag: "CancelReceived", invite: pending, cancel: cancel.request })
})
