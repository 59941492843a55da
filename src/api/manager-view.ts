/**
 * What both managers (server and client) offer: the SessionCoordinator's operations and the SipStack's
 * status (counts, where it listens, its Contact), taken from one stack.
 */
import { Effect } from "effect"
import { SessionCoordinator } from "../session/session-coordinator.ts"
import { SipStack } from "./sip-stack.ts"
import type { StackStatus } from "./stack-status.ts"

export type ManagerService = SessionCoordinator["Service"] & StackStatus

export const makeManagerView = Effect.gen(function*() {
  const coordinator = yield* SessionCoordinator
  const stack = yield* SipStack
  const service: ManagerService = { ...coordinator, ...stack }
  return service
})
