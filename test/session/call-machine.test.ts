/**
 * The call machine as a table: every call state the machine tells apart × every event. The valid pairs
 * are listed with the call they lead to (state, final answer, offer/answer, media, pending ending) and
 * the actions, in order; every pair not listed must be refused with ApplicationError "InvalidState".
 */
import { assert, describe, it } from "@effect/vitest"
import { ApplicationError } from "../../src/errors.ts"
import { type Call, type CallAction, step } from "../../src/session/call-machine.ts"
import { calls, events } from "./call-machine.fixtures.ts"

const describeCall = (c: Call) =>
  `${c.state} ${c.answer} ${c.offerAnswer} ${c.media}${c.ending === undefined ? "" : ` ending:${c.ending._tag}`}`

const describeAction = (a: CallAction): string => {
  switch (a._tag) {
    case "Publish":
      return `Publish ${a.from}>${a.to}`
    case "EndCall": {
      const r = a.reason
      const detail = "what" in r ? `:${r.what}` : "status" in r ? `:${r.status}` : "by" in r ? `:${r.by}` : ""
      return `EndCall ${a.from} ${r._tag}${detail}`
    }
    case "RejectInvite":
      return `RejectInvite ${a.status}`
    default:
      return a._tag
  }
}

const valid: Record<string, Record<string, string>> = {
  "in Initiating": {
    "Provisional 100": "Initiating None OfferReceived Idle",
    "Provisional 180": "Ringing None OfferReceived Idle | Publish Initiating>Ringing",
    "Provisional 183 sdp": "EarlyMedia None Answered Flowing | Publish Initiating>EarlyMedia, StartMedia",
    "Accepted": "Initiating Sent Answered Idle",
    "Bye remote": "Terminated None OfferReceived Idle | EndCall Initiating NormalClearing:remote",
    "Bye local": "Terminated None OfferReceived Idle | Publish Initiating>Terminating, RejectInvite 480, EndCall Terminating NormalClearing:local",
    "Cancelled": "Terminated None OfferReceived Idle | EndCall Initiating Cancelled",
    "Reject 486": "Terminated None OfferReceived Idle | RejectInvite 486, EndCall Initiating Rejected:486",
    "Timeout ring": "Terminated None OfferReceived Idle | RejectInvite 480, EndCall Initiating TimedOut:ring",
    "Timeout ack": "Terminated None OfferReceived Idle | EndCall Initiating TimedOut:ack",
    "Timeout transaction": "Terminated None OfferReceived Idle | EndCall Initiating TimedOut:transaction",
    "Timeout media": "Terminated None OfferReceived Idle | Publish Initiating>Terminating, RejectInvite 480, EndCall Terminating TimedOut:media",
    "Failed": "Terminated None OfferReceived Idle | EndCall Initiating Failed",
  },
  "in Initiating late-offer": {
    "Provisional 100": "Initiating None NoOffer Idle",
    "Provisional 180": "Ringing None NoOffer Idle | Publish Initiating>Ringing",
    "Accepted": "Initiating Sent OfferSent Idle",
    "Bye remote": "Terminated None NoOffer Idle | EndCall Initiating NormalClearing:remote",
    "Bye local": "Terminated None NoOffer Idle | Publish Initiating>Terminating, RejectInvite 480, EndCall Terminating NormalClearing:local",
    "Cancelled": "Terminated None NoOffer Idle | EndCall Initiating Cancelled",
    "Reject 486": "Terminated None NoOffer Idle | RejectInvite 486, EndCall Initiating Rejected:486",
    "Timeout ring": "Terminated None NoOffer Idle | RejectInvite 480, EndCall Initiating TimedOut:ring",
    "Timeout ack": "Terminated None NoOffer Idle | EndCall Initiating TimedOut:ack",
    "Timeout transaction": "Terminated None NoOffer Idle | EndCall Initiating TimedOut:transaction",
    "Timeout media": "Terminated None NoOffer Idle | Publish Initiating>Terminating, RejectInvite 480, EndCall Terminating TimedOut:media",
    "Failed": "Terminated None NoOffer Idle | EndCall Initiating Failed",
    "Provisional 183 offer": "Ringing None OfferSent Idle | Publish Initiating>Ringing",
    "Provisional 183 offer unanswered": "Ringing None OfferSent Idle | Publish Initiating>Ringing",
  },
  "in Ringing": {
    "Provisional 100": "Ringing None OfferReceived Idle",
    "Provisional 180": "Ringing None OfferReceived Idle",
    "Provisional 183 sdp": "EarlyMedia None Answered Flowing | Publish Ringing>EarlyMedia, StartMedia",
    "Accepted": "Ringing Sent Answered Idle",
    "Bye remote": "Terminated None OfferReceived Idle | EndCall Ringing NormalClearing:remote",
    "Bye local": "Terminated None OfferReceived Idle | Publish Ringing>Terminating, RejectInvite 480, EndCall Terminating NormalClearing:local",
    "Cancelled": "Terminated None OfferReceived Idle | EndCall Ringing Cancelled",
    "Reject 486": "Terminated None OfferReceived Idle | RejectInvite 486, EndCall Ringing Rejected:486",
    "Timeout ring": "Terminated None OfferReceived Idle | RejectInvite 480, EndCall Ringing TimedOut:ring",
    "Timeout ack": "Terminated None OfferReceived Idle | EndCall Ringing TimedOut:ack",
    "Timeout transaction": "Terminated None OfferReceived Idle | EndCall Ringing TimedOut:transaction",
    "Timeout media": "Terminated None OfferReceived Idle | Publish Ringing>Terminating, RejectInvite 480, EndCall Terminating TimedOut:media",
    "Failed": "Terminated None OfferReceived Idle | EndCall Ringing Failed",
  },
  "in EarlyMedia": {
    "Provisional 100": "EarlyMedia None Answered Flowing",
    "Provisional 180": "EarlyMedia None Answered Flowing",
    "Provisional 183 sdp": "EarlyMedia None Answered Flowing | ApplyNegotiated",
    "Accepted": "EarlyMedia Sent Answered Flowing",
    "UpdateReceived": "EarlyMedia None Answered Flowing | ApplyNegotiated",
    "UpdateReceived hold": "EarlyMedia None Answered Flowing | ApplyNegotiated",
    "Update": "EarlyMedia None OfferSent Flowing",
    "Bye remote": "Terminated None Answered Flowing | EndCall EarlyMedia NormalClearing:remote",
    "Bye local": "Terminated None Answered Flowing | Publish EarlyMedia>Terminating, RejectInvite 480, EndCall Terminating NormalClearing:local",
    "Cancelled": "Terminated None Answered Flowing | EndCall EarlyMedia Cancelled",
    "Reject 486": "Terminated None Answered Flowing | RejectInvite 486, EndCall EarlyMedia Rejected:486",
    "Timeout ring": "Terminated None Answered Flowing | RejectInvite 480, EndCall EarlyMedia TimedOut:ring",
    "Timeout ack": "Terminated None Answered Flowing | EndCall EarlyMedia TimedOut:ack",
    "Timeout transaction": "Terminated None Answered Flowing | EndCall EarlyMedia TimedOut:transaction",
    "Timeout media": "Terminated None Answered Flowing | Publish EarlyMedia>Terminating, RejectInvite 480, EndCall Terminating TimedOut:media",
    "Failed": "Terminated None Answered Flowing | EndCall EarlyMedia Failed",
  },
  "in EarlyMedia updating": {
    "Provisional 100": "EarlyMedia None OfferSent Flowing",
    "Provisional 180": "EarlyMedia None OfferSent Flowing",
    "Provisional 183 sdp": "EarlyMedia None OfferSent Flowing | ApplyNegotiated",
    "ReofferAnswered hold": "EarlyMedia None Answered Flowing | ApplyNegotiated",
    "ReofferAnswered resume": "EarlyMedia None Answered Flowing | ApplyNegotiated",
    "ReofferAnswered refused": "EarlyMedia None Answered Flowing",
    "Bye remote": "Terminated None OfferSent Flowing | EndCall EarlyMedia NormalClearing:remote",
    "Bye local": "Terminated None OfferSent Flowing | Publish EarlyMedia>Terminating, RejectInvite 480, EndCall Terminating NormalClearing:local",
    "Cancelled": "Terminated None OfferSent Flowing | EndCall EarlyMedia Cancelled",
    "Reject 486": "Terminated None OfferSent Flowing | RejectInvite 486, EndCall EarlyMedia Rejected:486",
    "Timeout ring": "Terminated None OfferSent Flowing | RejectInvite 480, EndCall EarlyMedia TimedOut:ring",
    "Timeout ack": "Terminated None OfferSent Flowing | EndCall EarlyMedia TimedOut:ack",
    "Timeout transaction": "Terminated None OfferSent Flowing | EndCall EarlyMedia TimedOut:transaction",
    "Timeout media": "Terminated None OfferSent Flowing | Publish EarlyMedia>Terminating, RejectInvite 480, EndCall Terminating TimedOut:media",
    "Failed": "Terminated None OfferSent Flowing | EndCall EarlyMedia Failed",
  },
  "in Ringing offered-in-183": {
    "Provisional 100": "Ringing None OfferSent Idle",
    "Provisional 180": "Ringing None OfferSent Idle",
    "PrackReceived sdp": "EarlyMedia None Answered Flowing | Publish Ringing>EarlyMedia, StartMedia",
    "PrackReceived no-sdp": "Terminated None OfferSent Idle | Publish Ringing>Terminating, RejectInvite 488, EndCall Terminating Failed",
    "Bye remote": "Terminated None OfferSent Idle | EndCall Ringing NormalClearing:remote",
    "Bye local": "Terminated None OfferSent Idle | Publish Ringing>Terminating, RejectInvite 480, EndCall Terminating NormalClearing:local",
    "Cancelled": "Terminated None OfferSent Idle | EndCall Ringing Cancelled",
    "Reject 486": "Terminated None OfferSent Idle | RejectInvite 486, EndCall Ringing Rejected:486",
    "Timeout ring": "Terminated None OfferSent Idle | RejectInvite 480, EndCall Ringing TimedOut:ring",
    "Timeout ack": "Terminated None OfferSent Idle | EndCall Ringing TimedOut:ack",
    "Timeout transaction": "Terminated None OfferSent Idle | EndCall Ringing TimedOut:transaction",
    "Timeout media": "Terminated None OfferSent Idle | Publish Ringing>Terminating, RejectInvite 480, EndCall Terminating TimedOut:media",
    "Failed": "Terminated None OfferSent Idle | EndCall Ringing Failed",
  },
  "in 2xx-sent": {
    "AckReceived sdp": "Active Confirmed Answered Flowing | Publish Initiating>Active, StartMedia",
    "AckReceived no-sdp": "Active Confirmed Answered Flowing | Publish Initiating>Active, StartMedia",
    "Bye remote": "Terminated Sent Answered Idle | EndCall Initiating NormalClearing:remote",
    "Bye local": "Terminating Sent Answered Idle ending:NormalClearing | Publish Initiating>Terminating",
    "Timeout ack": "Terminated Sent Answered Idle | EndCall Initiating TimedOut:ack",
    "Timeout transaction": "Terminated Sent Answered Idle | EndCall Initiating TimedOut:transaction",
    "Timeout media": "Terminating Sent Answered Idle ending:TimedOut | Publish Initiating>Terminating",
    "Failed": "Terminated Sent Answered Idle | EndCall Initiating Failed",
  },
  "in 2xx-sent late-offer": {
    "AckReceived sdp": "Active Confirmed Answered Flowing | Publish Initiating>Active, StartMedia",
    "AckReceived no-sdp": "Terminated Confirmed OfferSent Idle | Publish Initiating>Terminating, SendBye, EndCall Terminating Failed",
    "Bye remote": "Terminated Sent OfferSent Idle | EndCall Initiating NormalClearing:remote",
    "Bye local": "Terminating Sent OfferSent Idle ending:NormalClearing | Publish Initiating>Terminating",
    "Timeout ack": "Terminated Sent OfferSent Idle | EndCall Initiating TimedOut:ack",
    "Timeout transaction": "Terminated Sent OfferSent Idle | EndCall Initiating TimedOut:transaction",
    "Timeout media": "Terminating Sent OfferSent Idle ending:TimedOut | Publish Initiating>Terminating",
    "Failed": "Terminated Sent OfferSent Idle | EndCall Initiating Failed",
  },
  "in Active": {
    "AckReceived sdp": "Active Confirmed Answered Flowing",
    "AckReceived no-sdp": "Active Confirmed Answered Flowing",
    "ReinviteReceived sdp": "Active Confirmed Answered Flowing | ApplyNegotiated",
    "ReinviteReceived sdp hold": "OnHold Confirmed Answered Flowing | Publish Active>OnHold, ApplyNegotiated",
    "ReinviteReceived no-sdp": "Active Confirmed OfferSent Flowing",
    "Hold": "Active Confirmed OfferSent Flowing",
    "UpdateReceived": "Active Confirmed Answered Flowing | ApplyNegotiated",
    "UpdateReceived hold": "OnHold Confirmed Answered Flowing | Publish Active>OnHold, ApplyNegotiated",
    "Update": "Active Confirmed OfferSent Flowing",
    "Bye remote": "Terminated Confirmed Answered Flowing | EndCall Active NormalClearing:remote",
    "Bye local": "Terminated Confirmed Answered Flowing | Publish Active>Terminating, SendBye, EndCall Terminating NormalClearing:local",
    "Timeout ack": "Terminated Confirmed Answered Flowing | EndCall Active TimedOut:ack",
    "Timeout transaction": "Terminated Confirmed Answered Flowing | EndCall Active TimedOut:transaction",
    "Timeout media": "Terminated Confirmed Answered Flowing | Publish Active>Terminating, SendBye, EndCall Terminating TimedOut:media",
    "Failed": "Terminated Confirmed Answered Flowing | EndCall Active Failed",
  },
  "in Active offered-in-200": {
    "AckReceived sdp": "Active Confirmed Answered Flowing | ApplyNegotiated",
    "AckReceived no-sdp": "Terminated Confirmed OfferSent Flowing | Publish Active>Terminating, SendBye, EndCall Terminating Failed",
    "ReofferAnswered hold": "OnHold Confirmed Answered Flowing | Publish Active>OnHold, ApplyNegotiated",
    "ReofferAnswered resume": "Active Confirmed Answered Flowing | ApplyNegotiated",
    "ReofferAnswered refused": "Active Confirmed Answered Flowing",
    "Bye remote": "Terminated Confirmed OfferSent Flowing | EndCall Active NormalClearing:remote",
    "Bye local": "Terminated Confirmed OfferSent Flowing | Publish Active>Terminating, SendBye, EndCall Terminating NormalClearing:local",
    "Timeout ack": "Terminated Confirmed OfferSent Flowing | EndCall Active TimedOut:ack",
    "Timeout transaction": "Terminated Confirmed OfferSent Flowing | EndCall Active TimedOut:transaction",
    "Timeout media": "Terminated Confirmed OfferSent Flowing | Publish Active>Terminating, SendBye, EndCall Terminating TimedOut:media",
    "Failed": "Terminated Confirmed OfferSent Flowing | EndCall Active Failed",
  },
  "in OnHold": {
    "AckReceived sdp": "OnHold Confirmed Answered Flowing",
    "AckReceived no-sdp": "OnHold Confirmed Answered Flowing",
    "ReinviteReceived sdp": "Active Confirmed Answered Flowing | Publish OnHold>Active, ApplyNegotiated",
    "ReinviteReceived sdp hold": "OnHold Confirmed Answered Flowing | ApplyNegotiated",
    "ReinviteReceived no-sdp": "OnHold Confirmed OfferSent Flowing",
    "Resume": "OnHold Confirmed OfferSent Flowing",
    "UpdateReceived": "Active Confirmed Answered Flowing | Publish OnHold>Active, ApplyNegotiated",
    "UpdateReceived hold": "OnHold Confirmed Answered Flowing | ApplyNegotiated",
    "Update": "OnHold Confirmed OfferSent Flowing",
    "Bye remote": "Terminated Confirmed Answered Flowing | EndCall OnHold NormalClearing:remote",
    "Bye local": "Terminated Confirmed Answered Flowing | Publish OnHold>Terminating, SendBye, EndCall Terminating NormalClearing:local",
    "Timeout ack": "Terminated Confirmed Answered Flowing | EndCall OnHold TimedOut:ack",
    "Timeout transaction": "Terminated Confirmed Answered Flowing | EndCall OnHold TimedOut:transaction",
    "Timeout media": "Terminated Confirmed Answered Flowing | Publish OnHold>Terminating, SendBye, EndCall Terminating TimedOut:media",
    "Failed": "Terminated Confirmed Answered Flowing | EndCall OnHold Failed",
  },
  "in Terminating awaiting-ack": {
    "AckReceived sdp": "Terminated Confirmed Answered Idle ending:NormalClearing | SendBye, EndCall Terminating NormalClearing:local",
    "AckReceived no-sdp": "Terminated Confirmed Answered Idle ending:NormalClearing | SendBye, EndCall Terminating NormalClearing:local",
    "Bye remote": "Terminated Sent Answered Idle ending:NormalClearing | EndCall Terminating NormalClearing:local",
    "Timeout ack": "Terminated Sent Answered Idle ending:NormalClearing | EndCall Terminating NormalClearing:local",
    "Timeout transaction": "Terminated Sent Answered Idle ending:NormalClearing | EndCall Terminating NormalClearing:local",
    "Failed": "Terminated Sent Answered Idle ending:NormalClearing | EndCall Terminating NormalClearing:local",
  },
  "in Terminated": {
  },
  "out Initiating": {
    "Provisional 100": "Initiating None OfferSent Idle",
    "Provisional 180": "Ringing None OfferSent Idle | Publish Initiating>Ringing",
    "Provisional 183 sdp": "EarlyMedia None Answered Flowing | Publish Initiating>EarlyMedia, StartMedia",
    "Answered sdp": "Active Confirmed Answered Flowing | Publish Initiating>Active, StartMedia",
    "Answered no-sdp": "Terminated Confirmed OfferSent Idle | Publish Initiating>Terminating, SendBye, EndCall Terminating Failed",
    "Bye remote": "Terminated None OfferSent Idle | EndCall Initiating NormalClearing:remote",
    "Bye local": "Terminated None OfferSent Idle | Publish Initiating>Terminating, SendCancel, EndCall Terminating NormalClearing:local",
    "Rejected 487": "Terminated None OfferSent Idle | EndCall Initiating Cancelled",
    "Rejected 486": "Terminated None OfferSent Idle | EndCall Initiating Rejected:486",
    "Timeout ring": "Initiating None OfferSent Idle ending:TimedOut | SendCancel",
    "Timeout ack": "Terminated None OfferSent Idle | EndCall Initiating TimedOut:ack",
    "Timeout transaction": "Terminated None OfferSent Idle | EndCall Initiating TimedOut:transaction",
    "Timeout media": "Terminated None OfferSent Idle | Publish Initiating>Terminating, SendCancel, EndCall Terminating TimedOut:media",
    "Failed": "Terminated None OfferSent Idle | EndCall Initiating Failed",
  },
  "out Ringing": {
    "Provisional 100": "Ringing None OfferSent Idle",
    "Provisional 180": "Ringing None OfferSent Idle",
    "Provisional 183 sdp": "EarlyMedia None Answered Flowing | Publish Ringing>EarlyMedia, StartMedia",
    "Answered sdp": "Active Confirmed Answered Flowing | Publish Ringing>Active, StartMedia",
    "Answered no-sdp": "Terminated Confirmed OfferSent Idle | Publish Ringing>Terminating, SendBye, EndCall Terminating Failed",
    "Bye remote": "Terminated None OfferSent Idle | EndCall Ringing NormalClearing:remote",
    "Bye local": "Terminated None OfferSent Idle | Publish Ringing>Terminating, SendCancel, EndCall Terminating NormalClearing:local",
    "Rejected 487": "Terminated None OfferSent Idle | EndCall Ringing Cancelled",
    "Rejected 486": "Terminated None OfferSent Idle | EndCall Ringing Rejected:486",
    "Timeout ring": "Ringing None OfferSent Idle ending:TimedOut | SendCancel",
    "Timeout ack": "Terminated None OfferSent Idle | EndCall Ringing TimedOut:ack",
    "Timeout transaction": "Terminated None OfferSent Idle | EndCall Ringing TimedOut:transaction",
    "Timeout media": "Terminated None OfferSent Idle | Publish Ringing>Terminating, SendCancel, EndCall Terminating TimedOut:media",
    "Failed": "Terminated None OfferSent Idle | EndCall Ringing Failed",
  },
  "out Initiating late-offer": {
    "Provisional 100": "Initiating None NoOffer Idle",
    "Provisional 180": "Ringing None NoOffer Idle | Publish Initiating>Ringing",
    "Provisional 183 offer": "EarlyMedia None Answered Flowing | Publish Initiating>EarlyMedia, StartMedia",
    "Provisional 183 offer unanswered": "Terminated None NoOffer Idle | Publish Initiating>Terminating, SendCancel, EndCall Terminating Failed",
    "Answered offer": "Active Confirmed Answered Flowing | Publish Initiating>Active, StartMedia",
    "Answered offer unanswered": "Terminated Confirmed OfferReceived Idle | Publish Initiating>Terminating, SendBye, EndCall Terminating Failed",
    "Answered no-sdp": "Terminated Confirmed NoOffer Idle | Publish Initiating>Terminating, SendBye, EndCall Terminating Failed",
    "Bye remote": "Terminated None NoOffer Idle | EndCall Initiating NormalClearing:remote",
    "Bye local": "Terminated None NoOffer Idle | Publish Initiating>Terminating, SendCancel, EndCall Terminating NormalClearing:local",
    "Rejected 487": "Terminated None NoOffer Idle | EndCall Initiating Cancelled",
    "Rejected 486": "Terminated None NoOffer Idle | EndCall Initiating Rejected:486",
    "Timeout ring": "Initiating None NoOffer Idle ending:TimedOut | SendCancel",
    "Timeout ack": "Terminated None NoOffer Idle | EndCall Initiating TimedOut:ack",
    "Timeout transaction": "Terminated None NoOffer Idle | EndCall Initiating TimedOut:transaction",
    "Timeout media": "Terminated None NoOffer Idle | Publish Initiating>Terminating, SendCancel, EndCall Terminating TimedOut:media",
    "Failed": "Terminated None NoOffer Idle | EndCall Initiating Failed",
  },
  "out Ringing late-offer": {
    "Provisional 100": "Ringing None NoOffer Idle",
    "Provisional 180": "Ringing None NoOffer Idle",
    "Provisional 183 offer": "EarlyMedia None Answered Flowing | Publish Ringing>EarlyMedia, StartMedia",
    "Provisional 183 offer unanswered": "Terminated None NoOffer Idle | Publish Ringing>Terminating, SendCancel, EndCall Terminating Failed",
    "Answered offer": "Active Confirmed Answered Flowing | Publish Ringing>Active, StartMedia",
    "Answered offer unanswered": "Terminated Confirmed OfferReceived Idle | Publish Ringing>Terminating, SendBye, EndCall Terminating Failed",
    "Answered no-sdp": "Terminated Confirmed NoOffer Idle | Publish Ringing>Terminating, SendBye, EndCall Terminating Failed",
    "Bye remote": "Terminated None NoOffer Idle | EndCall Ringing NormalClearing:remote",
    "Bye local": "Terminated None NoOffer Idle | Publish Ringing>Terminating, SendCancel, EndCall Terminating NormalClearing:local",
    "Rejected 487": "Terminated None NoOffer Idle | EndCall Ringing Cancelled",
    "Rejected 486": "Terminated None NoOffer Idle | EndCall Ringing Rejected:486",
    "Timeout ring": "Ringing None NoOffer Idle ending:TimedOut | SendCancel",
    "Timeout ack": "Terminated None NoOffer Idle | EndCall Ringing TimedOut:ack",
    "Timeout transaction": "Terminated None NoOffer Idle | EndCall Ringing TimedOut:transaction",
    "Timeout media": "Terminated None NoOffer Idle | Publish Ringing>Terminating, SendCancel, EndCall Terminating TimedOut:media",
    "Failed": "Terminated None NoOffer Idle | EndCall Ringing Failed",
  },
  "out EarlyMedia": {
    "Provisional 100": "EarlyMedia None Answered Flowing",
    "Provisional 180": "EarlyMedia None Answered Flowing",
    "Provisional 183 sdp": "EarlyMedia None Answered Flowing | ApplyNegotiated",
    "Answered sdp": "Active Confirmed Answered Flowing | Publish EarlyMedia>Active, ApplyNegotiated",
    "Answered no-sdp": "Active Confirmed Answered Flowing | Publish EarlyMedia>Active",
    "UpdateReceived": "EarlyMedia None Answered Flowing | ApplyNegotiated",
    "UpdateReceived hold": "EarlyMedia None Answered Flowing | ApplyNegotiated",
    "Update": "EarlyMedia None OfferSent Flowing",
    "Bye remote": "Terminated None Answered Flowing | EndCall EarlyMedia NormalClearing:remote",
    "Bye local": "Terminated None Answered Flowing | Publish EarlyMedia>Terminating, SendCancel, EndCall Terminating NormalClearing:local",
    "Rejected 487": "Terminated None Answered Flowing | EndCall EarlyMedia Cancelled",
    "Rejected 486": "Terminated None Answered Flowing | EndCall EarlyMedia Rejected:486",
    "Timeout ring": "EarlyMedia None Answered Flowing ending:TimedOut | SendCancel",
    "Timeout ack": "Terminated None Answered Flowing | EndCall EarlyMedia TimedOut:ack",
    "Timeout transaction": "Terminated None Answered Flowing | EndCall EarlyMedia TimedOut:transaction",
    "Timeout media": "Terminated None Answered Flowing | Publish EarlyMedia>Terminating, SendCancel, EndCall Terminating TimedOut:media",
    "Failed": "Terminated None Answered Flowing | EndCall EarlyMedia Failed",
  },
  "out EarlyMedia updating": {
    "Provisional 100": "EarlyMedia None OfferSent Flowing",
    "Provisional 180": "EarlyMedia None OfferSent Flowing",
    "Provisional 183 sdp": "EarlyMedia None OfferSent Flowing | ApplyNegotiated",
    "Answered sdp": "Active Confirmed OfferSent Flowing | Publish EarlyMedia>Active, ApplyNegotiated",
    "Answered no-sdp": "Active Confirmed OfferSent Flowing | Publish EarlyMedia>Active",
    "ReofferAnswered hold": "EarlyMedia None Answered Flowing | ApplyNegotiated",
    "ReofferAnswered resume": "EarlyMedia None Answered Flowing | ApplyNegotiated",
    "ReofferAnswered refused": "EarlyMedia None Answered Flowing",
    "Bye remote": "Terminated None OfferSent Flowing | EndCall EarlyMedia NormalClearing:remote",
    "Bye local": "Terminated None OfferSent Flowing | Publish EarlyMedia>Terminating, SendCancel, EndCall Terminating NormalClearing:local",
    "Rejected 487": "Terminated None OfferSent Flowing | EndCall EarlyMedia Cancelled",
    "Rejected 486": "Terminated None OfferSent Flowing | EndCall EarlyMedia Rejected:486",
    "Timeout ring": "EarlyMedia None OfferSent Flowing ending:TimedOut | SendCancel",
    "Timeout ack": "Terminated None OfferSent Flowing | EndCall EarlyMedia TimedOut:ack",
    "Timeout transaction": "Terminated None OfferSent Flowing | EndCall EarlyMedia TimedOut:transaction",
    "Timeout media": "Terminated None OfferSent Flowing | Publish EarlyMedia>Terminating, SendCancel, EndCall Terminating TimedOut:media",
    "Failed": "Terminated None OfferSent Flowing | EndCall EarlyMedia Failed",
  },
  "out Ringing ring-timed-out": {
    "Provisional 100": "Ringing None OfferSent Idle ending:TimedOut",
    "Provisional 180": "Ringing None OfferSent Idle ending:TimedOut",
    "Provisional 183 sdp": "EarlyMedia None Answered Flowing ending:TimedOut | Publish Ringing>EarlyMedia, StartMedia",
    "Answered sdp": "Active Confirmed Answered Flowing | Publish Ringing>Active, StartMedia",
    "Answered no-sdp": "Terminated Confirmed OfferSent Idle | Publish Ringing>Terminating, SendBye, EndCall Terminating Failed",
    "Bye remote": "Terminated None OfferSent Idle ending:TimedOut | EndCall Ringing TimedOut:ring",
    "Bye local": "Terminated None OfferSent Idle ending:TimedOut | Publish Ringing>Terminating, SendCancel, EndCall Terminating TimedOut:ring",
    "Rejected 487": "Terminated None OfferSent Idle ending:TimedOut | EndCall Ringing TimedOut:ring",
    "Rejected 486": "Terminated None OfferSent Idle ending:TimedOut | EndCall Ringing TimedOut:ring",
    "Timeout ring": "Ringing None OfferSent Idle ending:TimedOut | SendCancel",
    "Timeout ack": "Terminated None OfferSent Idle ending:TimedOut | EndCall Ringing TimedOut:ring",
    "Timeout transaction": "Terminated None OfferSent Idle ending:TimedOut | EndCall Ringing TimedOut:ring",
    "Timeout media": "Terminated None OfferSent Idle ending:TimedOut | Publish Ringing>Terminating, SendCancel, EndCall Terminating TimedOut:ring",
    "Failed": "Terminated None OfferSent Idle ending:TimedOut | EndCall Ringing TimedOut:ring",
  },
  "out Active": {
    "AckReceived sdp": "Active Confirmed Answered Flowing",
    "AckReceived no-sdp": "Active Confirmed Answered Flowing",
    "ReinviteReceived sdp": "Active Confirmed Answered Flowing | ApplyNegotiated",
    "ReinviteReceived sdp hold": "OnHold Confirmed Answered Flowing | Publish Active>OnHold, ApplyNegotiated",
    "ReinviteReceived no-sdp": "Active Confirmed OfferSent Flowing",
    "Hold": "Active Confirmed OfferSent Flowing",
    "UpdateReceived": "Active Confirmed Answered Flowing | ApplyNegotiated",
    "UpdateReceived hold": "OnHold Confirmed Answered Flowing | Publish Active>OnHold, ApplyNegotiated",
    "Update": "Active Confirmed OfferSent Flowing",
    "Bye remote": "Terminated Confirmed Answered Flowing | EndCall Active NormalClearing:remote",
    "Bye local": "Terminated Confirmed Answered Flowing | Publish Active>Terminating, SendBye, EndCall Terminating NormalClearing:local",
    "Timeout ack": "Terminated Confirmed Answered Flowing | EndCall Active TimedOut:ack",
    "Timeout transaction": "Terminated Confirmed Answered Flowing | EndCall Active TimedOut:transaction",
    "Timeout media": "Terminated Confirmed Answered Flowing | Publish Active>Terminating, SendBye, EndCall Terminating TimedOut:media",
    "Failed": "Terminated Confirmed Answered Flowing | EndCall Active Failed",
  },
  "out Active re-offering": {
    "AckReceived sdp": "Active Confirmed Answered Flowing | ApplyNegotiated",
    "AckReceived no-sdp": "Terminated Confirmed OfferSent Flowing | Publish Active>Terminating, SendBye, EndCall Terminating Failed",
    "ReofferAnswered hold": "OnHold Confirmed Answered Flowing | Publish Active>OnHold, ApplyNegotiated",
    "ReofferAnswered resume": "Active Confirmed Answered Flowing | ApplyNegotiated",
    "ReofferAnswered refused": "Active Confirmed Answered Flowing",
    "Bye remote": "Terminated Confirmed OfferSent Flowing | EndCall Active NormalClearing:remote",
    "Bye local": "Terminated Confirmed OfferSent Flowing | Publish Active>Terminating, SendBye, EndCall Terminating NormalClearing:local",
    "Timeout ack": "Terminated Confirmed OfferSent Flowing | EndCall Active TimedOut:ack",
    "Timeout transaction": "Terminated Confirmed OfferSent Flowing | EndCall Active TimedOut:transaction",
    "Timeout media": "Terminated Confirmed OfferSent Flowing | Publish Active>Terminating, SendBye, EndCall Terminating TimedOut:media",
    "Failed": "Terminated Confirmed OfferSent Flowing | EndCall Active Failed",
  },
  "out OnHold": {
    "AckReceived sdp": "OnHold Confirmed Answered Flowing",
    "AckReceived no-sdp": "OnHold Confirmed Answered Flowing",
    "ReinviteReceived sdp": "Active Confirmed Answered Flowing | Publish OnHold>Active, ApplyNegotiated",
    "ReinviteReceived sdp hold": "OnHold Confirmed Answered Flowing | ApplyNegotiated",
    "ReinviteReceived no-sdp": "OnHold Confirmed OfferSent Flowing",
    "Resume": "OnHold Confirmed OfferSent Flowing",
    "UpdateReceived": "Active Confirmed Answered Flowing | Publish OnHold>Active, ApplyNegotiated",
    "UpdateReceived hold": "OnHold Confirmed Answered Flowing | ApplyNegotiated",
    "Update": "OnHold Confirmed OfferSent Flowing",
    "Bye remote": "Terminated Confirmed Answered Flowing | EndCall OnHold NormalClearing:remote",
    "Bye local": "Terminated Confirmed Answered Flowing | Publish OnHold>Terminating, SendBye, EndCall Terminating NormalClearing:local",
    "Timeout ack": "Terminated Confirmed Answered Flowing | EndCall OnHold TimedOut:ack",
    "Timeout transaction": "Terminated Confirmed Answered Flowing | EndCall OnHold TimedOut:transaction",
    "Timeout media": "Terminated Confirmed Answered Flowing | Publish OnHold>Terminating, SendBye, EndCall Terminating TimedOut:media",
    "Failed": "Terminated Confirmed Answered Flowing | EndCall OnHold Failed",
  },
}

describe("call machine (state × event)", () => {
  for (const [callName, call] of Object.entries(calls)) {
    for (const [eventName, event] of Object.entries(events)) {
      it(`${callName} × ${eventName}`, () => {
        const result = step(call, event)
        const expected = valid[callName]?.[eventName]
        if (expected === undefined) {
          assert.instanceOf(result, ApplicationError)
          if (result instanceof ApplicationError) assert.strictEqual(result.reason, "InvalidState")
          return
        }
        assert.notInstanceOf(result, ApplicationError)
        if (result instanceof ApplicationError) return
        const actions = result.actions.map(describeAction).join(", ")
        assert.strictEqual(`${describeCall(result.call)}${actions === "" ? "" : ` | ${actions}`}`, expected)
      })
    }
  }

  it("the table names only fixtures that exist", () => {
    for (const [callName, row] of Object.entries(valid)) {
      assert.isDefined(calls[callName], callName)
      for (const eventName of Object.keys(row)) assert.isDefined(events[eventName], `${callName} × ${eventName}`)
    }
  })

  it("a terminated call takes no event at all", () => {
    for (const event of Object.values(events)) assert.instanceOf(step(calls["in Terminated"]!, event), ApplicationError)
  })

  it("the machine never mutates the call it is given", () => {
    for (const call of Object.values(calls)) {
      const before = JSON.stringify(call)
      for (const event of Object.values(events)) step(call, event)
      assert.strictEqual(JSON.stringify(call), before)
    }
  })
})
