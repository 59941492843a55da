/**
 * `--transfer accept|reject`: what the CLI server does with a REFER in one of its calls (RFC 3515). accept
 * (the default): it calls the Refer-To target with its media source, reports progress by NOTIFY and ends
 * the referred call once the new one is answered; reject: 603 Decline.
 */
import { Flag } from "effect/cli"
import { acceptRefers, declineRefers, type ReferHandler } from "../transfer/refer-decision.ts"

export const transferFlags = {
  transfer: Flag.Literals("transfer", ["accept", "reject"]).pipe(
    Flag.withDescription("REFER in a call: accept (call the Refer-To target, NOTIFY progress, end the referred call) or reject (603)"),
    Flag.withDefault("accept")
  )
} as const

export interface TransferFlags {
  readonly transfer: "accept" | "reject"
}

export const referHandlerOf = (flags: TransferFlags): ReferHandler => flags.transfer === "reject" ? declineRefers : acceptRefers
