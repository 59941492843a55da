/**
 * effect-sip: the public surface. Applications import from here only.
 */
export { ServerSessionManager } from "./api/server-session-manager.ts"
export type { Counts } from "./api/server-session-manager.ts"
export { defaultServerConfig } from "./api/server-config.ts"
export type { ServerConfig } from "./api/server-config.ts"
export { CallDecision } from "./session/call-decision.ts"
export type { AcceptMode, AcceptOptions, CallHandler } from "./session/call-decision.ts"
export type { CallState, EndReason } from "./session/call-state.ts"
export type { IncomingCall, OfferSummary, SessionEvent } from "./session/session-events.ts"
export { SessionCoordinator } from "./session/session-coordinator.ts"
export type { MediaSource, MediaStats } from "./media/media-engine.ts"
export type { Endpoint, TransportKind } from "./transport/transport.ts"
export type { TimerConfig } from "./transaction/transaction-layer.ts"
export { defaultTimers } from "./transaction/transaction-layer.ts"
export { ApplicationError, NetworkError, ProtocolError } from "./errors.ts"
