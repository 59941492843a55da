/**
 * The capture flags: `--hep HOST:PORT [--hep-id N] [--hep-password P]` sends a HEP v3 copy of every SIP
 * message to a Homer collector (UDP). The password may come from EFFECT_SIP_HEP_PASSWORD instead.
 */
import { Config, Effect, Layer, Option, Redacted } from "effect"
import { Flag } from "effect/cli"
import { type HepConfig, HepCapture, parseCollector } from "../capture/hep-sender.ts"
import { LadderStore } from "../console/ladder-store.ts"
import { fanOut, MessageTap } from "../transport/message-tap.ts"
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

/** The HEP collector the flags ask for, or undefined; a FlagError for an address we cannot use. */
const hepConfig = (flags: CaptureFlags): HepConfig | undefined => {
  if (Option.isNone(flags.hep)) return undefined
  const collector = parseCollector(flags.hep.value)
  if (collector === undefined) throw new FlagError({ message: `--hep: expected HOST:PORT, got "${flags.hep.value}"` })
  if (!Number.isInteger(flags.hepId) || flags.hepId < 0 || flags.hepId > 0xffffffff) throw new FlagError({ message: `--hep-id ${flags.hepId}: not a 32-bit id` })
  return {
    ...collector,
    captureId: flags.hepId,
    ...(Option.isSome(flags.hepPassword) ? { authKey: Redacted.value(flags.hepPassword.value) } : {})
  }
}

/** What to provide under the stack: a MessageTap feeding HEP and/or the console's ladders (and the
 *  LadderStore itself, for the console above); Layer.empty when neither is on. */
export const captureLayer = (flags: CaptureFlags, console: boolean) => {
  const hep = hepConfig(flags)
  if (hep === undefined && !console) return Layer.empty
  const tap = Layer.effect(MessageTap, Effect.gen(function*() {
    const taps: Array<MessageTap["Service"]> = []
    if (hep !== undefined) taps.push(yield* HepCapture.make(hep))
    const ladders = yield* Effect.serviceOption(LadderStore)
    if (Option.isSome(ladders)) taps.push(ladders.value.tap)
    return fanOut(taps)
  }))
  return console ? tap.pipe(Layer.provideMerge(LadderStore.layer)) : tap
}
