/**
 * Building REGISTER (RFC 3261 §10.2) and the out-of-dialog OPTIONS keep-alive (§11.1).
 */
import { makeRequest, newBranch } from "../sip/index.ts"
import type { SipRequest } from "../sip/message.ts"
import type { ResolvedConfig } from "./registration-config.ts"

/** One registration's identity: §10.2 "a UA SHOULD use the same Call-ID for all registrations during a
 *  single boot cycle", with CSeq incremented by one for each REGISTER (§10.2.4). */
export interface RegistrationSession {
  readonly callId: string
  readonly fromTag: string
  cseq: number
  /** The expiry we ask for; raised by a 423's Min-Expires (§10.2.8). */
  expires: number
}

const via = (config: ResolvedConfig): string =>
  // RFC 3581: ask for rport so answers find us behind a NAT.
  `SIP/2.0/${config.registrar.transport === "tcp" ? "TCP" : "UDP"} ${config.contactHost}:${config.contactPort};branch=${newBranch()};rport`

const common = (config: ResolvedConfig, callId: string, fromTag: string, cseq: number, method: string, to: string) => {
  const headers: Array<readonly [string, string]> = [
    ["Via", via(config)],
    ["Max-Forwards", "70"],
    ["From", `<${config.aor}>;tag=${fromTag}`],
    ["To", to],
    ["Call-ID", callId],
    ["CSeq", `${cseq} ${method}`]
  ]
  if (config.userAgent !== undefined) headers.push(["User-Agent", config.userAgent])
  return headers
}

/**
 * §10.2: To = From = the AOR (From tagged), Contact with an `expires` parameter and an Expires header
 * carrying the same value (the registrar takes the Contact's first, §10.3 step 7). `expires` 0 removes
 * our binding (§10.2.2) — only ours, never "*", so other devices of the AOR stay registered.
 */
export const buildRegister = (config: ResolvedConfig, session: RegistrationSession, expires: number): SipRequest => {
  session.cseq += 1
  const headers = common(config, session.callId, session.fromTag, session.cseq, "REGISTER", `<${config.aor}>`)
  headers.push(["Contact", `<${config.contactUri}>;expires=${expires}`], ["Expires", `${expires}`])
  headers.push(["Allow", "INVITE, ACK, CANCEL, BYE, OPTIONS"])
  return makeRequest({ method: "REGISTER", uri: config.registrarUri, headers })
}

/** OPTIONS to the registrar, outside any dialog (§11.1): To is the registrar's URI, no tag. */
export const buildOptions = (config: ResolvedConfig, callId: string, fromTag: string, cseq: number): SipRequest => {
  const headers = common(config, callId, fromTag, cseq, "OPTIONS", `<${config.registrarUri}>`)
  headers.push(["Accept", "application/sdp"])
  return makeRequest({ method: "OPTIONS", uri: config.registrarUri, headers })
}
