/**
 * A registrar in a DialogLayer over the scripted transaction layer (test/dialog/support.ts): REGISTERs
 * go in as RequestReceived, their answers come back as the layer built them.
 */
import { Effect, Layer } from "effect"
import { DialogLayer } from "../../src/dialog/dialog-layer.ts"
import { DialogLive } from "../../src/dialog/live.ts"
import type { RegistrarConfig } from "../../src/registrar/config.ts"
import { RegistrarLive } from "../../src/registrar/live.ts"
import { type LocationService } from "../../src/registrar/location.ts"
import { LocationMemory } from "../../src/registrar/location-memory.ts"
import { Registrar } from "../../src/registrar/registrar.ts"
import { AuthGate, RegistrarUsage } from "../../src/registrar/usage.ts"
import type { ChallengeDomains } from "../../src/auth/challenge-domains.ts"
import type { TrustedNetworks } from "../../src/auth/trusted-networks.ts"
import { Challenger as ChallengerTag, type Challenger } from "../../src/auth/challenger.ts"
import type { Endpoint } from "../../src/transport/transport.ts"
import { makeRequest } from "../../src/sip/index.ts"
import type { SipRequest, SipResponse } from "../../src/sip/message.ts"
import { makeFakeTransactions, serverTransaction } from "../dialog/support.ts"

export const registrarSetup = <E>(
  config: Partial<RegistrarConfig> = {},
  location: Layer.Layer<LocationService, E> = LocationMemory.layer as Layer.Layer<LocationService, E>,
  auth?: { readonly challenger: Layer.Layer<Challenger, E>; readonly gate?: ReadonlyArray<string>; readonly trust?: TrustedNetworks; readonly domains?: ChallengeDomains }
) =>
  Effect.gen(function*() {
    const tl = yield* makeFakeTransactions
    const registrarLayer = RegistrarLive.layer(config).pipe(Layer.provide(location))
    const usages = auth === undefined
      ? RegistrarUsage.layer
      : Layer.mergeAll(RegistrarUsage.layer, AuthGate.layer(auth.gate ?? [], auth.trust, auth.domains)).pipe(Layer.provideMerge(auth.challenger))
    const dialogLayer = DialogLive.layer({ contactHost: "127.0.0.1" }).pipe(
      Layer.provideMerge(usages),
      Layer.provideMerge(registrarLayer),
      Layer.provide(tl.layer)
    )
    const context = yield* Layer.build(dialogLayer)
    const registrar = context.mapUnsafe.get(Registrar.key) as Registrar["Service"]
    const dialog = context.mapUnsafe.get(DialogLayer.key) as DialogLayer["Service"]
    /** One request in, its final answer out. */
    const send = (request: SipRequest, from?: Endpoint) =>
      Effect.gen(function*() {
        const transaction = serverTransaction(request, from)
        yield* tl.inject({ _tag: "RequestReceived", transaction })
        // A store on the network (PostgreSQL) answers after real I/O: wait for it, on the real clock.
        for (let i = 0; i < 1000 && tl.responses(transaction.id).length === 0; i++) {
          yield* Effect.promise(() => new Promise((resolve) => setTimeout(resolve, 5)))
        }
        const responses = tl.responses(transaction.id)
        if (responses.length === 0) return yield* Effect.die(new Error(`no answer to ${request.method}`))
        return responses.at(-1)!
      })
    const challenger = context.mapUnsafe.get(ChallengerTag.key) as Challenger["Service"] | undefined
    return { tl, registrar, dialog, send, challenger }
  })

let branch = 0

/** A REGISTER for bob (sip:bob@example.com) with these Contacts and extra headers. */
export const register = (options: {
  contacts?: ReadonlyArray<string>
  expires?: number
  callId?: string
  cseq: number
  extra?: ReadonlyArray<readonly [string, string]>
  aor?: string
}): SipRequest =>
  makeRequest({
    method: "REGISTER",
    uri: "sip:example.com",
    headers: [
      ["Via", `SIP/2.0/UDP 10.0.0.9:5061;branch=z9hG4bK-reg-${++branch}`],
      ["Max-Forwards", "70"],
      ["From", `<${options.aor ?? "sip:bob@example.com"}>;tag=bob-tag`],
      ["To", `<${options.aor ?? "sip:bob@example.com"}>`],
      ["Call-ID", options.callId ?? "reg-1@10.0.0.9"],
      ["CSeq", `${options.cseq} REGISTER`],
      ...(options.contacts ?? []).map((c) => ["Contact", c] as const),
      ...(options.expires === undefined ? [] : [["Expires", String(options.expires)] as const]),
      ...(options.extra ?? [])
    ]
  })

export const contactsOf = (response: SipResponse): ReadonlyArray<string> =>
  response.headers.filter((h) => h.key === "contact").map((h) => h.value)
