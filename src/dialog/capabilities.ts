/**
 * What this UAS implements, in one place: the methods it allows (Allow, §20.5), the extensions it
 * supports (Supported, §20.37; any other Require gets 420) and the body types it reads (Accept, §20.1).
 */

/** Methods we implement (UPDATE, RFC 3311, INFO, RFC 6086, PRACK, RFC 3262, REFER, RFC 3515, and the
 *  NOTIFYs of its subscription inside a dialog; MESSAGE, RFC 3428, in and out of one). */
export const allowedMethods: ReadonlyArray<string> = [
  "INVITE", "ACK", "CANCEL", "BYE", "OPTIONS", "INFO", "UPDATE", "PRACK", "MESSAGE", "REFER", "NOTIFY"
]
/** 100rel: reliable provisionals (RFC 3262, reliable-provisional.ts); timer: session timers (RFC 4028,
 *  src/session/session-timer.ts); replaces: INVITE with Replaces (RFC 3891, replaces.ts); norefersub:
 *  REFER without its subscription (RFC 4488, src/transfer). */
export const supportedExtensions: ReadonlyArray<string> = ["100rel", "timer", "replaces", "norefersub"]
export const acceptedBodies: ReadonlyArray<string> = ["application/sdp"]

/** Methods we recognise (RFC 3261 and its extensions) but may not allow: 405, not 501 (§21.5.2). */
export const knownMethods: ReadonlySet<string> = new Set([
  ...allowedMethods,
  "REGISTER", "UPDATE", "PRACK", "SUBSCRIBE", "NOTIFY", "REFER", "MESSAGE", "PUBLISH"
])

/** Methods that only exist inside a dialog (or a transaction): without one they get 481. */
export const dialogOnlyMethods: ReadonlySet<string> = new Set(["BYE", "INFO", "UPDATE", "PRACK", "NOTIFY", "REFER"])

/** Methods handled inside a dialog. */
export const inDialogMethods: ReadonlySet<string> = new Set([
  "INVITE", "BYE", "OPTIONS", "INFO", "UPDATE", "PRACK", "MESSAGE", "REFER", "NOTIFY"
])

/** Methods handled outside a dialog. */
export const outOfDialogMethods: ReadonlySet<string> = new Set(["INVITE", "OPTIONS", "MESSAGE"])

type Headers = ReadonlyArray<readonly [string, string]>

export const allowHeader: Headers = [["Allow", allowedMethods.join(", ")]]
export const acceptHeader: Headers = [["Accept", acceptedBodies.join(", ")]]

const supportedHeader: Headers = supportedExtensions.length > 0 ? [["Supported", supportedExtensions.join(", ")]] : []

/** §11.2: what a 200 to OPTIONS names. */
export const capabilityHeaders: Headers = [...allowHeader, ...acceptHeader, ...supportedHeader]

/** Out-of-dialog methods a usage above claims (usage.ts: REGISTER for a registrar): allowed, and in Allow. */
export interface Claims {
  readonly methods: ReadonlySet<string>
  readonly allow: Headers
  readonly capabilities: Headers
}

export const claimsOf = (methods: ReadonlyArray<string>): Claims => {
  if (methods.length === 0) return noClaims
  const allow: Headers = [["Allow", [...allowedMethods, ...methods].join(", ")]]
  return { methods: new Set(methods), allow, capabilities: [...allow, ...acceptHeader, ...supportedHeader] }
}

export const noClaims: Claims = { methods: new Set(), allow: allowHeader, capabilities: capabilityHeaders }
