/**
 * RFC 3261 §10.3 steps 6–7 on one AOR's bindings, as a pure function: 423 for an interval under the
 * minimum, the server maximum applied, Call-ID/CSeq ordering (an older or equal CSeq in the same Call-ID
 * aborts the whole update: 500), add / refresh / remove per Contact, `*` removing all. A device re-registering
 * with the same +sip.instance (and reg-id) replaces its own binding whatever its Contact (RFC 5626 §6).
 */
import { type Binding, contactKey } from "./binding.ts"
import type { RegistrarConfig } from "./config.ts"
import type { ContactAsk, RegisterAsk } from "./register-request.ts"
import type { RegistrarEvent } from "./registrar.ts"

type BindingChange = RegistrarEvent

export type RegisterOutcome =
  | { readonly _tag: "Updated"; readonly bindings: ReadonlyArray<Binding>; readonly changes: ReadonlyArray<BindingChange> }
  | { readonly _tag: "TooBrief"; readonly minExpires: number }
  | { readonly _tag: "OutOfOrder" }

const outOfOrder: RegisterOutcome = { _tag: "OutOfOrder" }

/** A stored binding's contactKey, parsed once per binding rather than once per REGISTER that looks at it. */
const keys = new WeakMap<Binding, string>()
const keyOf = (binding: Binding): string => {
  let key = keys.get(binding)
  if (key === undefined) keys.set(binding, key = contactKey(binding.uri))
  return key
}

const sameBinding = (binding: Binding, contact: ContactAsk, key: string): boolean =>
  contact.instance !== undefined && binding.instance === contact.instance
    ? binding.regId === contact.regId
    : keyOf(binding) === key

/** §10.3 step 7: the existing binding may be changed by this request. */
const inOrder = (binding: Binding, ask: RegisterAsk): boolean => binding.callId !== ask.callId || ask.cseq > binding.cseq

export const applyRegister = (
  current: ReadonlyArray<Binding>,
  ask: RegisterAsk,
  now: number,
  limits: RegistrarConfig
): RegisterOutcome => {
  const changes: Array<BindingChange> = []
  // A binding past its time is gone, whether or not the sweeper has seen it yet.
  let bindings: Array<Binding> = []
  for (const b of current) {
    if (b.expiresAt > now) bindings.push(b)
    else changes.push({ _tag: "Expired", binding: b })
  }
  if (ask.contacts === "*") {
    if (!bindings.every((b) => inOrder(b, ask))) return outOfOrder
    for (const binding of bindings) changes.push({ _tag: "Unregistered", binding })
    return { _tag: "Updated", bindings: [], changes }
  }
  const intervals = ask.contacts.map((c) => c.expires ?? ask.expires ?? limits.defaultExpires)
  if (intervals.some((e) => e > 0 && e < limits.minExpires)) return { _tag: "TooBrief", minExpires: limits.minExpires }
  for (let i = 0; i < ask.contacts.length; i++) {
    const contact = ask.contacts[i]
    const seconds = Math.min(intervals[i], limits.maxExpires)
    const key = contactKey(contact.uri)
    const existing = bindings.find((b) => sameBinding(b, contact, key))
    if (existing !== undefined && !inOrder(existing, ask)) return outOfOrder
    if (existing !== undefined) bindings = bindings.filter((b) => b !== existing)
    if (seconds === 0) {
      if (existing !== undefined) changes.push({ _tag: "Unregistered", binding: existing })
      continue
    }
    const binding: Binding = {
      aor: ask.aor,
      uri: contact.uri,
      q: contact.q,
      expiresAt: now + seconds * 1000,
      callId: ask.callId,
      cseq: ask.cseq,
      instance: contact.instance,
      regId: contact.regId,
      path: ask.path
    }
    keys.set(binding, key)
    bindings.push(binding)
    changes.push({ _tag: existing === undefined ? "Registered" : "Refreshed", binding })
  }
  return { _tag: "Updated", bindings, changes }
}
