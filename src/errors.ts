/**
 * The three typed error families of effect-sip (see ARCHITECTURE.md, "Typed errors").
 * Each carries a `reason` literal so callers can `catchTag` the family and switch on the reason.
 */
import { Schema } from "effect"

/** Something went wrong moving bytes: sockets, connections, the RTP port pool. */
export class NetworkError extends Schema.TaggedError<NetworkError>()("NetworkError", {
  reason: Schema.Literals(["BindFailed", "SendFailed", "ConnectionLost", "ConnectFailed", "PortPoolExhausted", "MessageTooLarge"]),
  address: Schema.String,
  // Transport refusals, TLS and DNS failures (src/transport, src/net): apart from the line above to ease merges.
  refusal: Schema.optional(Schema.Literals(["TransportUnavailable", "CertificateExpired", "CertificateNotYetValid", "HostnameMismatch", "UnknownCA", "HandshakeFailed", "NameNotResolved"])),
  message: Schema.optional(Schema.String),
  cause: Schema.optional(Schema.Defect())
}) {}

/** The peer or the protocol let us down: bad bytes, timeouts, no such dialog, glare. */
export class ProtocolError extends Schema.TaggedError<ProtocolError>()("ProtocolError", {
  reason: Schema.Literals([
    "Unparseable",
    "TransactionTimeout",
    "NoSuchTransaction",
    "NoSuchDialog",
    "UnexpectedResponse",
    "Glare",
    "BadSdp",
    "AuthenticationFailed"
  ]),
  message: Schema.String,
  status: Schema.optional(Schema.Number)
}) {}

/** The application asked for something the current state does not allow, or a limit was reached. */
export class ApplicationError extends Schema.TaggedError<ApplicationError>()("ApplicationError", {
  reason: Schema.Literals(["InvalidState", "NoSuchSession", "Rejected", "NoCommonCodec", "LimitReached", "InvalidArgument"]),
  message: Schema.String
}) {}
