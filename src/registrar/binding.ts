/**
 * A binding (RFC 3261 §10.3): one Contact registered for an address-of-record, with the Call-ID and CSeq
 * that last touched it (step 7's ordering), its Path (RFC 3327) and RFC 5626's instance and reg-id.
 * Plain data, as the location service stores it.
 */
import { formatNameAddr, isParseError, parseUri } from "../sip/index.ts"

export interface Binding {
  /** The canonical AOR (aorOf). */
  readonly aor: string
  /** The Contact URI as registered. */
  readonly uri: string
  /** The q-value as written ("0.5"), when given. */
  readonly q: string | undefined
  /** Epoch milliseconds on Effect's Clock. */
  readonly expiresAt: number
  readonly callId: string
  readonly cseq: number
  /** `+sip.instance` (RFC 5626 §4.1), quoted as written. */
  readonly instance: string | undefined
  readonly regId: number | undefined
  /** The request's Path values, in order (RFC 3327 §5.3). */
  readonly path: ReadonlyArray<string>
}

/** §10.3 step 5: the AOR is the To URI, scheme, user and host (lower-cased host), without parameters. */
export const aorOf = (toUri: string): string | undefined => {
  const uri = parseUri(toUri)
  if (isParseError(uri) || (uri.scheme !== "sip" && uri.scheme !== "sips")) return undefined
  return `${uri.scheme}:${uri.user === undefined ? "" : uri.user + "@"}${uri.host.toLowerCase()}`
}

/** §19.1.4, simplified: the same Contact when scheme, user, host and port agree (host case-insensitive). */
export const contactKey = (contactUri: string): string => {
  const uri = parseUri(contactUri)
  if (isParseError(uri)) return contactUri
  return `${uri.scheme}:${uri.user ?? ""}@${uri.host.toLowerCase()}:${uri.port ?? ""}`
}

/** §10.3 step 8: a Contact in the 200, with what remains of its life in seconds. */
export const contactHeader = (binding: Binding, now: number): string => {
  const params: Record<string, string> = { expires: String(remaining(binding, now)) }
  if (binding.q !== undefined) params["q"] = binding.q
  if (binding.instance !== undefined) params["+sip.instance"] = binding.instance
  if (binding.regId !== undefined) params["reg-id"] = String(binding.regId)
  return formatNameAddr({ uri: binding.uri, params })
}

export const remaining = (binding: Binding, now: number): number =>
  Math.max(0, Math.ceil((binding.expiresAt - now) / 1000))
