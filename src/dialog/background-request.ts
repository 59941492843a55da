/**
 * Requests the layer sends on its own and whose answer nobody waits for: the BYE after an ACK
 * timeout (§13.3.1.4) and the BYE to a losing fork (§13.2.2.4). The client transaction still runs to
 * its end (retransmissions, Timer F) in a fiber the layer owns.
 */
import { Effect, FiberSet, Stream } from "effect"
import type { SipRequest } from "../sip/message.ts"
import type { Endpoint } from "../transport/transport.ts"
import type { DialogContext } from "./context.ts"
import { ignoreFailure } from "./context.ts"
import type { Dialog } from "./dialog-state.ts"
import { buildInDialog } from "./message-builder.ts"

export const fireAndForget = (ctx: DialogContext, request: SipRequest, destination: Endpoint): Effect.Effect<void> =>
  FiberSet.run(
    ctx.background,
    ignoreFailure(
      Effect.flatMap(ctx.transactions.sendRequest(request, destination), (transaction) => Stream.runDrain(transaction.responses))
    )
  ).pipe(Effect.asVoid)

/** BYE on `dialog` with the next local CSeq, not waited for. */
export const byeAndForget = (ctx: DialogContext, dialog: Dialog): Effect.Effect<void> => {
  dialog.localSeq += 1
  const { request, destination } = buildInDialog(ctx, dialog, { method: "BYE", seq: dialog.localSeq })
  return fireAndForget(ctx, request, destination)
}
