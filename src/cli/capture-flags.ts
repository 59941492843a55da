/**
 * The capture flags: `--hep HOST:PORT [--hep-id N] [--hep-password P]` sends a HEP v3 copy of every SIP
 * message to a Homer collector (UDP). The password may come from EFFECT_SIP_HEP_PASSWORD instead.
 */
import { Config, Option, Redacted } from "effect"
import { Flag } from "effect/cli"
import { HepCapture, parseCollector } from "../capture/hep-sender.ts"
import { FlagError } from "./server-flags.ts"

export const captureFlags = {
  hep: Flag.String("hep").pipe(Flag.withDescription("HOST:PORT of a HEP v3 (Homer) collector: every SIP message is copied there over UDP"), Flag.optional),
  hepId: Flag.Int("hep-id").pipe(Flag.withDescription("HEP capture agent id"), Flag.withDefault(2001)),
  hepPassword: Flag.Redacted("hep-password").pipe(
    Flag.withDescription("HEP authentication key (or EFFECT_SIP_HEP_PASSWORD)"),
    Flag.withFallbackConfig(Config.Redacted("EFFECT_SIP_HEP_PASSWORD")),
    Flag.optional
  )
} as const

export interface CaptureFlags {
  readonly hep: Option.Option<string>
  readonly hepId: number
  readonly hepPassword: Option.Option<Redacted.Redacted<string>>
}

/** The MessageTap layer the flags ask for, or undefined; a FlagError for an address we cannot use. */
export const captureLayer = (flags: CaptureFlags) => {
  if (Option.isNone(flags.hep)) return undefined
  const collector = parseCollector(flags.hep.value)
  if (collector === undefined) throw new FlagError({ message: `--hep: expected HOST:PORT, got "${flags.hep.value}"` })
  if (!Number.isInteger(flags.hepId) || flags.hepId < 0 || flags.hepId > 0xffffffff) throw new FlagError({ message: `--hep-id ${flags.hepId}: not a 32-bit id` })
  return HepCapture.layer({
    ...collector,
    captureId: flags.hepId,
    ...(Option.isSome(flags.hepPassword) ? { authKey: Redacted.value(flags.hepPassword.value) } : {})
  })
}
