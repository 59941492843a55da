/**
 * What happens to a call (events into call-machine.ts) and what the coordinator must do about it
 * (actions out of it). Plain data: the machine stays a pure function.
 */
import type { CallState, EndReason } from "./call-state.ts"

/** The initial INVITE is no event here: a call starts from it (call-machine.ts `startCall`). */
export type CallEvent =
  /** A 1xx to the initial INVITE: ours (incoming) or the peer's (outgoing); `sdp`: a usable answer.
   *  `offer` (RFC 3262 §5, no SDP in the INVITE): incoming, our reliable 18x carried our offer; outgoing,
   *  the peer's reliable 18x carried its offer and `sdp` says our answer went out in the PRACK. */
  | { readonly _tag: "Provisional"; readonly status: number; readonly sdp: boolean; readonly offer?: boolean }
  /** Incoming: our 2xx went out (our answer, or our offer for a late-offer INVITE). */
  | { readonly _tag: "Accepted" }
  /** Outgoing: the peer's 2xx (ACKed by the dialog layer); `sdp`: a usable answer in it. `offer`: our
   *  INVITE had no SDP and the 2xx brought the offer; `sdp` then says our answer went out in the ACK. */
  | { readonly _tag: "Answered"; readonly sdp: boolean; readonly offer?: boolean }
  /** Incoming: the PRACK of our offering reliable 18x (RFC 3262 §5); `sdp`: a usable answer in it. */
  | { readonly _tag: "PrackReceived"; readonly sdp: boolean }
  /** Incoming: the ACK of our 2xx (or of our 2xx to a re-INVITE); `sdp`: a usable answer in it. */
  | { readonly _tag: "AckReceived"; readonly sdp: boolean }
  /** The peer's re-INVITE or UPDATE: with an offer we could answer, or without (we offer in the 200). */
  | { readonly _tag: "ReinviteReceived"; readonly sdp: boolean; readonly remoteHold: boolean }
  /** The peer's UPDATE with an offer we could answer (RFC 3311), early or confirmed. A body-less UPDATE
   *  changes no session: no event. */
  | { readonly _tag: "UpdateReceived"; readonly remoteHold: boolean }
  /** We send an UPDATE with a new offer (same direction); its answer is ReofferAnswered. */
  | { readonly _tag: "Update" }
  /** We re-offer sendonly (hold) or sendrecv (resume). */
  | { readonly _tag: "Hold" }
  | { readonly _tag: "Resume" }
  /** The answer to our re-offer: usable (`ok`), and whether the call is now held. */
  | { readonly _tag: "ReofferAnswered"; readonly ok: boolean; readonly hold: boolean }
  /** local: we hang up, for `reason`; remote: the peer's BYE. */
  | { readonly _tag: "Bye"; readonly by: "remote" }
  | { readonly _tag: "Bye"; readonly by: "local"; readonly reason: EndReason }
  /** Incoming: the caller's CANCEL. */
  | { readonly _tag: "Cancelled" }
  /** Incoming: we refuse the INVITE (3xx–6xx); `ending` when the refusal is a failure of ours. */
  | {
    readonly _tag: "Reject"
    readonly status: number
    readonly reason?: string | undefined
    readonly retryAfterSeconds?: number | undefined
    readonly ending?: EndReason | undefined
  }
  /** Outgoing: the peer's final non-2xx (a redirect is followed before it reaches the machine). */
  | { readonly _tag: "Rejected"; readonly status: number; readonly reason: string }
  | { readonly _tag: "Timeout"; readonly what: "ack" | "transaction" | "media" | "ring" }
  | { readonly _tag: "Failed"; readonly message: string }

export type CallAction =
  /** Apply the negotiated media for the first time: RTP flows, MediaStarted is told. */
  | { readonly _tag: "StartMedia" }
  /** Apply changed negotiated media (re-INVITE, hold, a repeated answer). */
  | { readonly _tag: "ApplyNegotiated" }
  | { readonly _tag: "SendBye" }
  | { readonly _tag: "SendCancel" }
  /** Answer the pending incoming INVITE with a final non-2xx. */
  | {
    readonly _tag: "RejectInvite"
    readonly status: number
    readonly reason?: string | undefined
    readonly retryAfterSeconds?: number | undefined
  }
  /** Tell the application the state changed. */
  | { readonly _tag: "Publish"; readonly from: CallState; readonly to: CallState }
  /** Release the call (scope, registry) and tell the application why it ended. */
  | { readonly _tag: "EndCall"; readonly from: CallState; readonly reason: EndReason }
