/**
 * The Replaces header (RFC 3891): read on a new INVITE and matched against our dialogs (§3), and written,
 * escaped into a URI's headers, for the Refer-To of an attended transfer (§5, RFC 5589 §7). The tags are
 * from the side of the UA that receives the INVITE: to-tag is its local tag, from-tag its remote tag.
 */
import { getHeader, getHeaders, type SipRequest } from "../sip/index.ts"
import type { DialogStore } from "./dialog-store.ts"
import { type Dialog, dialogKey } from "./dialog-state.ts"

export interface Replaces {
  readonly callId: string
  readonly toTag: string
  readonly fromTag: string
  /** Replace only an early dialog: a confirmed one gets 486. */
  readonly earlyOnly: boolean
}

/** `callid;to-tag=x;from-tag=y[;early-only]`, or undefined when a part is missing. */
export const parseReplaces = (value: string): Replaces | undefined => {
  const [callId, ...params] = value.split(";").map((part) => part.trim())
  let toTag: string | undefined
  let fromTag: string | undefined
  let earlyOnly = false
  for (const param of params) {
    const eq = param.indexOf("=")
    const name = (eq < 0 ? param : param.slice(0, eq)).trim().toLowerCase()
    const val = eq < 0 ? "" : param.slice(eq + 1).trim()
    if (name === "to-tag") toTag = val
    else if (name === "from-tag") fromTag = val
    else if (name === "early-only") earlyOnly = true
  }
  if (callId === undefined || callId === "" || !toTag || !fromTag) return undefined
  return { callId, toTag, fromTag, earlyOnly }
}

/** What a Replaces header on a new INVITE names: the leg to replace, or the status to refuse with. */
export type ReplacesMatch =
  | { readonly _tag: "None" }
  | { readonly _tag: "Leg"; readonly legId: string }
  | { readonly _tag: "Refused"; readonly status: number; readonly reason: string }

const none: ReplacesMatch = { _tag: "None" }
const refused = (status: number, reason: string): ReplacesMatch => ({ _tag: "Refused", status, reason })

/** §3: one Replaces, naming a dialog of ours (Call-ID, to-tag = local tag, from-tag = remote tag); an early
 *  dialog only when we initiated it; a confirmed one unless `early-only`. */
export const matchReplaces = (store: DialogStore, request: SipRequest): ReplacesMatch => {
  // The usual INVITE has none: one scan, no allocation.
  const value = getHeader(request, "replaces")
  if (value === undefined) return none
  if (getHeaders(request, "replaces").length > 1) return refused(400, "Multiple Replaces headers")
  const replaces = parseReplaces(value)
  if (replaces === undefined) return refused(400, "Malformed Replaces header")
  const dialog = store.dialogs.get(dialogKey(replaces.callId, replaces.toTag, replaces.fromTag))
  if (dialog === undefined || (dialog.state === "early" && dialog.role === "uas")) {
    return refused(481, "Call/Transaction Does Not Exist")
  }
  if (dialog.state === "confirmed" && replaces.earlyOnly) return refused(486, "Busy Here")
  return { _tag: "Leg", legId: store.legOf(dialog.id) }
}

/** The Replaces value naming `dialog` as its peer sees it. */
export const replacesValue = (dialog: Dialog): string =>
  `${dialog.callId};to-tag=${dialog.remoteTag};from-tag=${dialog.localTag}`

/** The peer's remote target with `?Replaces=` (escaped, RFC 3261 §19.1.1) naming the dialog. */
export const replacingUri = (dialog: Dialog): string => {
  const target = dialog.remoteTarget
  return `${target}${target.includes("?") ? "&" : "?"}Replaces=${encodeURIComponent(replacesValue(dialog))}`
}
