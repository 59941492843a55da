/**
 * A scripted TransactionLayer for registration tests: it records every request the client sends (with
 * the Clock time) and answers each as the test's script says — responses, a delay, a timeout, silence.
 */
import { emptyTransactionStats } from "../../src/transaction/stats.ts"
import { Clock, Effect, Layer, Stream } from "effect"
import { digestResponse, parseCredentials } from "../../src/auth/index.ts"
import type { DigestAlgorithm } from "../../src/auth/index.ts"
import { type NetworkError, ProtocolError } from "../../src/errors.ts"
import { getHeader, makeResponse } from "../../src/sip/index.ts"
import type { SipRequest, SipResponse } from "../../src/sip/message.ts"
import { TransactionLayer } from "../../src/transaction/transaction-layer.ts"
import type { Endpoint } from "../../src/transport/transport.ts"
import type { RegistrationEvent } from "../../src/registration/index.ts"

export interface Sent {
  readonly request: SipRequest
  readonly destination: Endpoint
  readonly at: number
}

/** How one request is answered: the responses of its transaction, in order, once the Effect completes. */
export type Answer = Effect.Effect<ReadonlyArray<SipResponse>, ProtocolError | NetworkError>
export type Script = (request: SipRequest, sent: ReadonlyArray<Sent>) => Answer

export const local: Endpoint = { transport: "udp", host: "127.0.0.1", port: 5070 }
export const registrar: Endpoint = { transport: "udp", host: "127.0.0.2", port: 5060 }

export const fakeTransactions = (script: Script) => {
  const sent: Array<Sent> = []
  const layer = Layer.succeed(
    TransactionLayer,
    TransactionLayer.of({
      events: Stream.never,
      sendRequest: (request, destination) =>
        Effect.gen(function*() {
          sent.push({ request, destination, at: yield* Clock.currentTimeMillis })
          const answer = script(request, sent)
          return {
            id: `tx-${sent.length}`,
            request,
            destination,
            responses: Stream.unwrap(Effect.map(answer, (responses) => Stream.fromIterable(responses)))
          }
        }),
      cancel: () => Effect.die("fake: cancel is not scripted"),
      respond: () => Effect.die("fake: respond is not scripted"),
      sendStateless: () => Effect.die("fake: sendStateless is not scripted"),
      local: [local],
      counts: Effect.succeed({ client: 0, server: 0 }),
      shedInvites: Effect.succeed(0),
      stats: Effect.succeed(emptyTransactionStats)
    })
  )
  return { layer, sent }
}

export const answer = (...responses: ReadonlyArray<SipResponse>): Answer => Effect.succeed(responses)

/** Timer F: the transaction gives up after 64·T1 = 32 s (§17.1.2.2). */
export const timeout: Answer = Effect.sleep("32 seconds").pipe(
  Effect.andThen(Effect.fail(new ProtocolError({ reason: "TransactionTimeout", message: "Timer F" })))
)

export const header = (request: SipRequest, key: string): string => getHeader(request, key) ?? ""

/** 200 OK echoing the request's Contact with the granted expiry (§10.3 step 8). */
export const ok = (request: SipRequest, grant?: number): SipResponse => {
  const contact = header(request, "contact").replace(/;expires=\d+/, grant === undefined ? "$&" : `;expires=${grant}`)
  return makeResponse(request, 200, "OK", { headers: contact.includes("expires=0") ? [] : [["Contact", contact]] })
}

export const realm = "example.com"

export const challenge = (request: SipRequest, nonce: string, extra = "", algorithm: DigestAlgorithm = "MD5"): SipResponse =>
  makeResponse(request, 401, "Unauthorized", {
    headers: [["WWW-Authenticate", `Digest realm="${realm}", nonce="${nonce}", qop="auth", algorithm=${algorithm}${extra}`]]
  })

/** What a registrar checks (§22.4): recompute the digest from the credentials and the request. */
export const verifyAuthorization = (request: SipRequest, password: string): boolean => {
  const value = getHeader(request, "authorization")
  const p = value === undefined ? undefined : parseCredentials(value)
  if (p === undefined) return false
  const expected = digestResponse({
    algorithm: (p.algorithm ?? "MD5") as DigestAlgorithm,
    username: p.username ?? "",
    password,
    realm: p.realm ?? "",
    nonce: p.nonce ?? "",
    method: request.method,
    uri: p.uri ?? "",
    ...(p.qop === undefined ? {} : { qop: p.qop, nc: p.nc ?? "", cnonce: p.cnonce ?? "" })
  })
  return p.response === expected && p.uri === request.uri
}

/** Lets every ready fiber run (the registration cycle, the event collector). */
export const settle = Effect.gen(function*() {
  for (let i = 0; i < 50; i++) yield* Effect.yieldNow
})

/** Collects a registration's events into an array the test reads. */
export const collectEvents = (events: Stream.Stream<RegistrationEvent>) =>
  Effect.gen(function*() {
    const seen: Array<RegistrationEvent> = []
    yield* Effect.forkScoped(Stream.runForEach(events, (e) => Effect.sync(() => void seen.push(e))))
    yield* settle
    return seen
  })

export const tags = (events: ReadonlyArray<RegistrationEvent>): ReadonlyArray<string> => events.map((e) => e._tag)
