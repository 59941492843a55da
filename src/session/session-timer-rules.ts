/**
 * Session timer rules (RFC 4028), pure: reading Session-Expires and Min-SE, the UAS's choice of interval
 * and refresher (§9), the UAC's reading of the 2xx (§7.2) and of a 422 (§7.4), and the headers we send.
 */
import { getHeader, getHeaders } from "../sip/index.ts"
import type { SipMessage } from "../sip/message.ts"
import type { CoordinatorConfig } from "./config.ts"

export interface SessionTimer {
  /** Seconds. */
  readonly interval: number
  /** Who sends the refreshes: us, or the peer (then we BYE at the expiry). */
  readonly refresher: "local" | "remote"
  /** Refresh by UPDATE (the peer allows it) rather than re-INVITE. */
  readonly byUpdate: boolean
  /** UAS: what our 2xx to the INVITE says (Session-Expires with the refresher, Require: timer). */
  readonly answerHeaders?: ReadonlyArray<readonly [string, string]>
}

export const DEFAULT_SESSION_EXPIRES = 1800
export const DEFAULT_MIN_SE = 90

export const sessionExpiresOf = (config: CoordinatorConfig): number => config.sessionExpiresSeconds ?? DEFAULT_SESSION_EXPIRES
export const minSeOf = (config: CoordinatorConfig): number => config.minSessionExpiresSeconds ?? DEFAULT_MIN_SE

type Headers = ReadonlyArray<readonly [string, string]>

/** `1800;refresher=uac` → delta and refresher; undefined when absent or unreadable. */
export const parseSessionExpires = (value: string | undefined): { readonly delta: number; readonly refresher?: "uac" | "uas" } | undefined => {
  if (value === undefined) return undefined
  const [delta, ...params] = value.split(";")
  const seconds = Number(delta?.trim())
  if (!Number.isInteger(seconds) || seconds < 1) return undefined
  const refresher = params.map((p) => p.trim().toLowerCase()).find((p) => p.startsWith("refresher="))?.slice(10)
  return refresher === "uac" || refresher === "uas" ? { delta: seconds, refresher } : { delta: seconds }
}

const lists = (message: SipMessage, name: string, token: string): boolean =>
  getHeaders(message, name).some((v) => v.split(",").some((t) => t.trim().toLowerCase() === token))

/** The parser files the compact form (x) under session-expires. */
export const sessionExpiresHeader = (message: SipMessage) => parseSessionExpires(getHeader(message, "session-expires"))

const minSeIn = (message: SipMessage): number => Number(getHeader(message, "min-se")?.split(";")[0]?.trim()) || 0

/** The UAS (§9): no timer when the INVITE asks for none; 422 (with our Min-SE) when its interval is
 *  below our minimum; else the interval (ours at most, never below either Min-SE) and the refresher. */
export const negotiateAsUas = (
  invite: SipMessage,
  config: CoordinatorConfig
): { readonly _tag: "None" } | { readonly _tag: "TooBrief"; readonly minSe: number } | { readonly _tag: "Timer"; readonly timer: SessionTimer } => {
  const asked = sessionExpiresHeader(invite)
  if (asked === undefined) return { _tag: "None" }
  const ourMin = minSeOf(config)
  if (asked.delta < ourMin) return { _tag: "TooBrief", minSe: ourMin }
  const interval = Math.max(Math.min(asked.delta, sessionExpiresOf(config)), ourMin, minSeIn(invite))
  const supported = lists(invite, "supported", "timer") || lists(invite, "require", "timer")
  // §9: the UAC's choice stands; if it made none, it refreshes when it can, else we do.
  const refresher = asked.refresher ?? (supported ? "uac" : "uas")
  const answerHeaders: Headers = [
    ["Session-Expires", `${interval};refresher=${refresher}`],
    ...(supported ? [["Require", "timer"] as const] : [])
  ]
  const byUpdate = lists(invite, "allow", "update")
  return { _tag: "Timer", timer: { interval, refresher: refresher === "uas" ? "local" : "remote", byUpdate, answerHeaders } }
}

/** What our INVITEs carry (§7.1): our interval (the dialog layer's Supported names timer). */
export const inviteHeaders = (config: CoordinatorConfig): Headers => [
  ["Session-Expires", String(sessionExpiresOf(config))],
  ["Min-SE", String(minSeOf(config))]
]

/** The INVITE again after a 422 (§7.4): our other headers, and the larger interval as Session-Expires and Min-SE. */
export const retryHeaders = (headers: Headers, interval: number): Headers => [
  ...headers.filter(([name]) => !/^(session-expires|x|min-se)$/i.test(name)),
  ["Session-Expires", String(interval)],
  ["Min-SE", String(interval)]
]

/** The UAC reading the 2xx (§7.2): no Session-Expires, no timer; refresher=uac is us. */
export const fromAnswer = (response: SipMessage): SessionTimer | undefined => {
  const granted = sessionExpiresHeader(response)
  if (granted === undefined) return undefined
  return { interval: granted.delta, refresher: granted.refresher === "uas" ? "remote" : "local", byUpdate: lists(response, "allow", "update") }
}

/** §7.4: a 422's Min-SE, the interval to ask for next (undefined: no usable Min-SE, do not retry). */
export const retryInterval = (response: SipMessage, config: CoordinatorConfig): number | undefined => {
  const minSe = minSeIn(response)
  return minSe > 0 ? Math.max(minSe, minSeOf(config)) : undefined
}

/** A refresh we send, or our 2xx to the peer's (§7.4, §9): the interval and who refreshes. */
export const refreshHeaders = (interval: number, refresher: "uac" | "uas"): Headers => [
  ["Session-Expires", `${interval};refresher=${refresher}`]
]

/** The peer's re-INVITE / UPDATE refreshed the session: the timer from now on and our 2xx's headers. */
export const peerRefresh = (request: SipMessage, current: SessionTimer): { readonly timer: SessionTimer; readonly headers: Headers } => {
  const asked = sessionExpiresHeader(request)
  const interval = Math.max(asked?.delta ?? current.interval, 1)
  // refresher=uac in their request: they (the request's UAC) refresh; uas: we do.
  const refresher = asked?.refresher === undefined ? current.refresher : asked.refresher === "uas" ? "local" : "remote"
  return {
    timer: { ...current, interval, refresher },
    headers: [...refreshHeaders(interval, refresher === "local" ? "uas" : "uac"), ["Require", "timer"]]
  }
}
