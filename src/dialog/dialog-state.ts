/**
 * Dialog state (RFC 3261 §12.1): the identifiers, the parties, the route set, the remote target and
 * both CSeq spaces, built from the request or response that creates the dialog. Plain mutable data
 * owned by the dialog store; the layer's single event loop and its commands edit it between yields.
 */
import type { Authenticator } from "../auth/authenticator.ts"
import { cseqOf, getHeader, getHeaders, isParseError, parseNameAddr, parseUri } from "../sip/index.ts"
import type { SipMessage, SipRequest, SipResponse } from "../sip/message.ts"
import type { Endpoint, TransportKind } from "../transport/transport.ts"

export interface Dialog {
  readonly id: string
  readonly callId: string
  readonly localTag: string
  readonly remoteTag: string
  readonly role: "uac" | "uas"
  state: "early" | "confirmed"
  /** Our From (UAC) or To (UAS) header value, tag included: the From of every request we send. */
  readonly localParty: string
  /** The peer's header value, tag included: the To of every request we send. */
  readonly remoteParty: string
  /** §12.1: the Contact URI of the peer; refreshed by target-refresh requests and responses. */
  remoteTarget: string
  /** Route header values in the order our requests carry them (reversed Record-Route for the UAC). */
  routeSet: ReadonlyArray<string>
  /** 0 until we send our first request in the dialog (UAS). */
  localSeq: number
  remoteSeq: number | undefined
  /** §12.1.1: Request-URI was a SIPS URI. */
  readonly secure: boolean
  readonly transport: TransportKind
  /** The listener our Contact and Via name. */
  readonly local: Endpoint
  /** Where the peer is, when the remote target cannot be resolved (e.g. a host name). */
  readonly peer: Endpoint
  /** §14.1/§14.2: an INVITE transaction in progress on the dialog, and in which direction. */
  invite: "none" | "outgoing" | "incoming"
  /** UAS: the CSeq number of the INVITE whose 2xx we retransmit until its ACK (§13.3.1.4). */
  awaitingAck: { readonly seq: number } | undefined
  /** UAC: the ACK we sent for the latest 2xx, re-sent for each retransmission of it (§13.2.2.4). */
  lastAck: { readonly seq: number; readonly ack: SipRequest; readonly destination: Endpoint } | undefined
  /** UAC with credentials: answers 401/407 to our requests in the dialog (§22.2). */
  authenticator: Authenticator | undefined
  /** UAC, RFC 3262 §4: the RSeq of the last reliable provisional we PRACKed on this early dialog. */
  lastRSeq?: number
  /** UAC, late offer: the peer's offer on this dialog (in a reliable 18x or the 2xx) has had our answer. */
  offerAnswered?: boolean
}

/** Dialog ID = Call-ID + local tag + remote tag (§12). Neither a Call-ID nor a tag may contain ';'. */
export const dialogKey = (callId: string, localTag: string, remoteTag: string): string =>
  `${callId};${localTag};${remoteTag}`

/** The id of an outgoing INVITE before any response named the remote tag. */
export const inviteKey = (callId: string, localTag: string): string => `${callId};${localTag}`

/** The tag parameter of From or To. */
export const tagOf = (message: SipMessage, header: "from" | "to"): string | undefined => {
  const value = getHeader(message, header)
  if (value === undefined) return undefined
  const parsed = parseNameAddr(value)
  return isParseError(parsed) ? undefined : parsed.tag
}

/** The URI of the (first) Contact, or undefined when absent or unparseable. */
export const contactUri = (message: SipMessage): string | undefined => {
  const value = getHeader(message, "contact")
  if (value === undefined) return undefined
  const parsed = parseNameAddr(value)
  return isParseError(parsed) ? undefined : parsed.uri
}

const isSips = (uri: string): boolean => {
  const parsed = parseUri(uri)
  return !isParseError(parsed) && parsed.scheme.toLowerCase() === "sips"
}

/** Appends `;tag=` unless the value already has a tag. */
export const withTag = (value: string, tag: string): string => {
  const parsed = parseNameAddr(value)
  return !isParseError(parsed) && parsed.tag !== undefined ? value : `${value};tag=${tag}`
}

/** §12.1.1: the UAS side of a dialog created by our response to `request` (To-tag `localTag`). */
export const uasDialog = (
  request: SipRequest,
  localTag: string,
  local: Endpoint,
  source: Endpoint
): Dialog => {
  const callId = getHeader(request, "call-id") ?? ""
  const remoteTag = tagOf(request, "from") ?? ""
  return {
    id: dialogKey(callId, localTag, remoteTag),
    callId,
    localTag,
    remoteTag,
    role: "uas",
    state: "early",
    localParty: withTag(getHeader(request, "to") ?? "", localTag),
    remoteParty: getHeader(request, "from") ?? "",
    remoteTarget: contactUri(request) ?? request.uri,
    routeSet: getHeaders(request, "record-route"),
    localSeq: 0,
    remoteSeq: cseqOf(request)?.seq,
    secure: isSips(request.uri),
    transport: source.transport,
    local,
    peer: source,
    invite: "incoming",
    awaitingAck: undefined,
    lastAck: undefined,
    authenticator: undefined
  }
}

/** §12.1.2: the UAC side of a dialog created by a 1xx-with-tag or a 2xx to our `invite`. */
export const uacDialog = (
  invite: SipRequest,
  response: SipResponse,
  local: Endpoint,
  destination: Endpoint
): Dialog => {
  const callId = getHeader(invite, "call-id") ?? ""
  const localTag = tagOf(invite, "from") ?? ""
  const remoteTag = tagOf(response, "to") ?? ""
  return {
    id: dialogKey(callId, localTag, remoteTag),
    callId,
    localTag,
    remoteTag,
    role: "uac",
    state: response.status >= 200 ? "confirmed" : "early",
    localParty: getHeader(invite, "from") ?? "",
    remoteParty: getHeader(response, "to") ?? "",
    remoteTarget: contactUri(response) ?? invite.uri,
    routeSet: [...getHeaders(response, "record-route")].reverse(),
    localSeq: cseqOf(invite)?.seq ?? 1,
    remoteSeq: undefined,
    secure: isSips(invite.uri),
    transport: destination.transport,
    local,
    peer: destination,
    invite: "outgoing",
    awaitingAck: undefined,
    lastAck: undefined,
    authenticator: undefined
  }
}

/** §12.1.2/§13.2.2.4: the 2xx that confirms an early dialog recomputes its route set and target. */
export const confirmFrom = (dialog: Dialog, response: SipResponse): void => {
  dialog.state = "confirmed"
  dialog.routeSet = [...getHeaders(response, "record-route")].reverse()
  dialog.remoteTarget = contactUri(response) ?? dialog.remoteTarget
}
