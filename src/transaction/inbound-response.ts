/**
 * A response from the network: matched to its client transaction (§17.1.3), or reported as stray.
 */
import { Effect, Queue } from "effect"
import { cseqOf, isParseError, topVia } from "../sip/index.ts"
import type { SipResponse } from "../sip/message.ts"
import type { Endpoint } from "../transport/transport.ts"
import { sendCancel } from "./client-start.ts"
import type { LayerContext } from "./context.ts"
import { inviteClientResponse } from "./invite-client.ts"
import { clientKey } from "./matching.ts"
import { nonInviteClientResponse } from "./non-invite-client.ts"
import { countStatus } from "./stats.ts"

export const onResponse = Effect.fnUntraced(function*(ctx: LayerContext, response: SipResponse, source: Endpoint) {
  countStatus(ctx.stats.responsesReceived, response.status)
  const via = topVia(response)
  const method = cseqOf(response)?.method
  if (isParseError(via) || method === undefined) {
    yield* Effect.logDebug(`response from ${source.host}:${source.port} without a usable Via/CSeq: dropped`)
    return
  }
  const tx = via.branch === undefined ? undefined : ctx.clients.get(clientKey(via.branch, method))
  if (tx === undefined) {
    yield* Queue.offer(ctx.events, { _tag: "StrayResponse", response, source })
    return
  }
  if (!tx.invite) return yield* nonInviteClientResponse(ctx, tx, response)
  yield* inviteClientResponse(ctx, tx, response)
  if (tx.cancelPending && tx.state === "proceeding") {
    yield* sendCancel(ctx, tx).pipe(
      Effect.catch((error) => Effect.logDebug(`CANCEL for ${tx.id} not sent: ${error.message ?? error.reason}`))
    )
  }
})
