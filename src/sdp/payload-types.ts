/**
 * Payload type numbers for our offers: static ones from RFC 3551, dynamic ones (96-127) for the rest,
 * and, for a re-offer, the numbers already bound in this session (RFC 3264 §8.3.2: a dynamic number's
 * codec must not change for the session's lifetime, so we keep the peer's 111 for opus once used).
 */
import type { CodecSpec } from "./codecs.ts"
import { sameCodec } from "./codecs.ts"

export interface Binding {
  readonly payloadType: number
  readonly spec: CodecSpec
}

/** The de-facto number for telephone-event at 8 kHz, used by most peers too. */
const TELEPHONE_EVENT_PT = 101

/** Add new bindings; a number or codec already bound keeps its first binding. */
export const bind = (bindings: ReadonlyArray<Binding>, more: ReadonlyArray<Binding>): ReadonlyArray<Binding> => {
  const out = [...bindings]
  for (const b of more) {
    if (!out.some((o) => o.payloadType === b.payloadType || sameCodec(o.spec, b.spec))) out.push(b)
  }
  return out
}

export interface OfferFormats {
  readonly codecs: ReadonlyArray<Binding>
  /** telephone-event, one per distinct codec clock rate (RFC 4733 §2.1: the event clock follows the codec's). */
  readonly events: ReadonlyArray<Binding>
}

export const offerFormats = (
  specs: ReadonlyArray<CodecSpec>,
  bindings: ReadonlyArray<Binding>,
  telephoneEvent: boolean
): OfferFormats => {
  const taken = new Set(bindings.map((b) => b.payloadType))
  const bound = (spec: CodecSpec) => bindings.find((b) => sameCodec(b.spec, spec))?.payloadType
  let next = 96
  const free = (): number | undefined => {
    while (next <= 127 && taken.has(next)) next++
    return next <= 127 ? next : undefined
  }
  const rates = telephoneEvent ? [...new Set(specs.map((s) => s.clockRate))] : []
  const eventSpecs: ReadonlyArray<CodecSpec> = rates.map((clockRate) => ({ name: "telephone-event", clockRate }))
  // Bound numbers first, then 101 for the 8 kHz events, so dynamic codecs do not take them.
  const fixed = new Map<CodecSpec, number>()
  for (const spec of [...specs, ...eventSpecs]) {
    const pt = bound(spec) ?? spec.staticPt ??
      (spec.name === "telephone-event" && spec.clockRate === 8000 && !taken.has(TELEPHONE_EVENT_PT) ? TELEPHONE_EVENT_PT : undefined)
    if (pt === undefined) continue
    fixed.set(spec, pt)
    taken.add(pt)
  }
  const number = (spec: CodecSpec): ReadonlyArray<Binding> => {
    const pt = fixed.get(spec) ?? free()
    if (pt === undefined) return []
    taken.add(pt)
    return [{ payloadType: pt, spec }]
  }
  const codecs = specs.flatMap(number)
  return { codecs, events: codecs.length === 0 ? [] : eventSpecs.flatMap(number) }
}
