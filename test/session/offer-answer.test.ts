/**
 * The offer/answer exchange (RFC 3264, RFC 6337) as a table: every state × every event.
 */
import { assert, describe, it } from "@effect/vitest"
import { ApplicationError } from "../../src/errors.ts"
import {
  type OfferAnswerEvent,
  offerAnswerEvents,
  type OfferAnswerState,
  offerAnswerStates,
  stepOfferAnswer
} from "../../src/session/offer-answer.ts"

const invalid = "InvalidState"

const table: Record<OfferAnswerState, Record<OfferAnswerEvent, OfferAnswerState | typeof invalid>> = {
  NoOffer: { LocalOffer: "OfferSent", RemoteOffer: "OfferReceived", LocalAnswer: invalid, RemoteAnswer: invalid },
  // Glare: a second offer while ours is outstanding (RFC 3261 §14.1); only the peer answers our offer.
  OfferSent: { LocalOffer: invalid, RemoteOffer: invalid, LocalAnswer: invalid, RemoteAnswer: "Answered" },
  OfferReceived: { LocalOffer: invalid, RemoteOffer: invalid, LocalAnswer: "Answered", RemoteAnswer: invalid },
  // A new offer from either side; a repeated answer (unreliable 18x, then the 2xx: RFC 6337 §3.1.1).
  Answered: { LocalOffer: "OfferSent", RemoteOffer: "OfferReceived", LocalAnswer: "Answered", RemoteAnswer: "Answered" }
}

describe("offer/answer (state × event)", () => {
  for (const state of offerAnswerStates) {
    for (const event of offerAnswerEvents) {
      it(`${state} × ${event} → ${table[state][event]}`, () => {
        const result = stepOfferAnswer(state, event)
        if (table[state][event] === invalid) {
          assert.instanceOf(result, ApplicationError)
          if (result instanceof ApplicationError) assert.strictEqual(result.reason, "InvalidState")
        } else {
          assert.strictEqual(result, table[state][event])
        }
      })
    }
  }

  it("covers four states and four events", () => {
    assert.deepStrictEqual([...offerAnswerStates], ["NoOffer", "OfferSent", "OfferReceived", "Answered"])
    assert.deepStrictEqual([...offerAnswerEvents], ["LocalOffer", "RemoteOffer", "LocalAnswer", "RemoteAnswer"])
  })
})
