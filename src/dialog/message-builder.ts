/**
 * Building the messages the dialog layer sends: in-dialog requests and the ACK for a 2xx
 * (§12.2.1.1, §13.2.2.4), and responses with our Contact (§12.1.1, §8.2.6).
 */
import { getHeaders, makeRequest, makeResponse, newBranch, reasonPhrase } from "../sip/index.ts"
import type { SipRequest, SipResponse } from "../sip/message.ts"
import type { Endpoint } from "../transport/transport.ts"
import type { Body, ResponseOptions } from "./dialog-layer.ts"
import type { DialogContext } from "./context.ts"
import { contactFor, userAgentHeaders, viaFor } from "./context.ts"
import type { Dialog } from "./dialog-state.ts"
import { routeRequest } from "./request-routing.ts"

type Headers = ReadonlyArray<readonly [string, string]>

export interface RequestOptions {
  readonly body?: Body
  readonly headers?: Headers
}

/** An in-dialog request: its method, its CSeq number, and what it carries. */
export interface InDialogParts extends RequestOptions {
  readonly method: string
  readonly seq: number
}

/** Methods whose requests and 2xx carry Contact: they refresh the remote target (§12.2, RFC 3311). */
export const isTargetRefresh = (method: string): boolean =>
  method === "INVITE" || method === "UPDATE" || method === "SUBSCRIBE" || method === "NOTIFY" || method === "REFER"

export const bodyHeaders = (body: Body | undefined): Headers =>
  body === undefined ? [] : [["Content-Type", body.contentType]]

/** §12.2.1.1: Request-URI and Route from the route set, From/To/Call-ID from the dialog, the given
 *  CSeq number, a fresh Via branch. Returns the request and its first hop. */
export const buildInDialog = (
  ctx: DialogContext,
  dialog: Dialog,
  parts: InDialogParts
): { readonly request: SipRequest; readonly destination: Endpoint } => {
  const { method, seq } = parts
  const routing = routeRequest(dialog)
  const headers: Array<readonly [string, string]> = [
    ["Via", viaFor(ctx, dialog.local, newBranch())],
    ["Max-Forwards", "70"],
    ["From", dialog.localParty],
    ["To", dialog.remoteParty],
    ["Call-ID", dialog.callId],
    ["CSeq", `${seq} ${method}`]
  ]
  for (const route of routing.routes) headers.push(["Route", route])
  if (isTargetRefresh(method)) headers.push(["Contact", contactFor(ctx, dialog.local)])
  if (method !== "ACK") headers.push(...userAgentHeaders(ctx))
  headers.push(...(parts.headers ?? []), ...bodyHeaders(parts.body))
  const request = makeRequest({
    method,
    uri: routing.requestUri,
    headers,
    ...(parts.body === undefined ? {} : { body: parts.body.bytes })
  })
  return { request, destination: routing.destination }
}

/** §13.2.2.4: the ACK for a 2xx is its own transaction: new branch, the INVITE's CSeq number, the
 *  dialog's route set and remote target. */
export const buildAck = (ctx: DialogContext, dialog: Dialog, inviteSeq: number) =>
  buildInDialog(ctx, dialog, { method: "ACK", seq: inviteSeq })

/** What a response carries besides its status. */
export interface ResponseParts {
  /** Reason phrase, extra headers, body. */
  readonly options?: ResponseOptions | undefined
  /** Added unless the To already has a tag (or for 100). */
  readonly toTag?: string | undefined
  /** The listener whose Contact goes in (dialog-creating and target-refresh responses). */
  readonly contact?: Endpoint | undefined
  /** A dialog-creating response echoes the Record-Route of the request (§12.1.1). */
  readonly createsDialog?: boolean
}

const noParts: ResponseParts = {}

/** A response to `request` (§8.2.6). */
export const buildResponse = (
  ctx: DialogContext,
  request: SipRequest,
  status: number,
  parts: ResponseParts = noParts
): SipResponse => {
  const { contact, options, toTag } = parts
  const headers: Array<readonly [string, string]> = []
  if (parts.createsDialog === true && status > 100 && status < 300) {
    for (const route of getHeaders(request, "record-route")) headers.push(["Record-Route", route])
  }
  if (contact !== undefined && status > 100 && status < 300) headers.push(["Contact", contactFor(ctx, contact)])
  // §20.35: a UAS names its software in Server, not User-Agent.
  if (ctx.userAgent !== undefined) headers.push(["Server", ctx.userAgent])
  if (options?.retryAfterSeconds !== undefined) headers.push(["Retry-After", String(options.retryAfterSeconds)])
  headers.push(...(options?.headers ?? []), ...bodyHeaders(options?.body))
  return makeResponse(request, status, options?.reason ?? reasonPhrase(status), {
    ...(toTag === undefined ? {} : { toTag }),
    headers,
    ...(options?.body === undefined ? {} : { body: options.body.bytes })
  })
}
