/**
 * Building messages: a request from parts, and a response from its request (§8.2.6).
 */
import { header } from "./headers.ts"
import { newTag } from "./ids.ts"
import { emptyBody, type SipHeader, type SipRequest, type SipResponse } from "./message.ts"
import { parseNameAddr } from "./name-addr.ts"
import { isParseError } from "./parse-error.ts"
import { reasonPhrase } from "./reason-phrase.ts"

export type HeaderInit = ReadonlyArray<readonly [string, string]>

export const makeRequest = (init: {
  readonly method: string
  readonly uri: string
  readonly headers: HeaderInit
  readonly body?: Uint8Array
}): SipRequest => ({
  _tag: "SipRequest",
  method: init.method,
  uri: init.uri,
  headers: init.headers.map(([name, value]) => header(name, value)),
  body: init.body ?? emptyBody
})

/** A To (or From) header value that carries a tag: a request with a tagged To is within a dialog (§12.2). */
export const hasTag = (to: string): boolean => {
  const parsed = parseNameAddr(to)
  return isParseError(parsed) ? /;\s*tag\s*=/i.test(to) : parsed.tag !== undefined
}

/**
 * §8.2.6.2: the response copies every Via (in order), From, To, Call-ID and CSeq of the request.
 * The To gets a tag unless the status is 100 or the request's To already has one (§12.1.1): the
 * given `toTag`, else a fresh one — pass the same `toTag` to every response of one dialog.
 * `options.headers` follow; Content-Length is written by `serialize`.
 */
export const makeResponse = (
  request: SipRequest,
  status: number,
  reason?: string,
  options?: { readonly toTag?: string; readonly headers?: HeaderInit; readonly body?: Uint8Array }
): SipResponse => {
  const headers: Array<SipHeader> = []
  let from: SipHeader | undefined
  let to: SipHeader | undefined
  let callId: SipHeader | undefined
  let cseq: SipHeader | undefined
  for (const h of request.headers) {
    switch (h.key) {
      case "via":
        headers.push(h)
        break
      case "from":
        from ??= h
        break
      case "to":
        to ??= h
        break
      case "call-id":
        callId ??= h
        break
      case "cseq":
        cseq ??= h
        break
    }
  }
  if (from !== undefined) headers.push(from)
  if (to !== undefined) {
    if (status !== 100 && !hasTag(to.value)) {
      headers.push({ name: to.name, key: "to", value: `${to.value};tag=${options?.toTag ?? newTag()}` })
    } else {
      headers.push(to)
    }
  }
  if (callId !== undefined) headers.push(callId)
  if (cseq !== undefined) headers.push(cseq)
  if (options?.headers !== undefined) for (const [name, value] of options.headers) headers.push(header(name, value))
  return {
    _tag: "SipResponse",
    status,
    reason: reason ?? reasonPhrase(status),
    headers,
    body: options?.body ?? emptyBody
  }
}
