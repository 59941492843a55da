/**
 * TCP (§18.3): a plain stream listener.
 */
import * as NodeSocket from "@effect/platform-node/NodeSocket"
import * as NodeSocketServer from "@effect/platform-node/NodeSocketServer"
import { plainConnectFailed, type StreamKind } from "./stream-listener.ts"

/** How long a dial may take before the send fails with ConnectFailed (Timer B's 64*T1 would be far too long). */
export const CONNECT_TIMEOUT_MS = 10_000

// noDelay on every stream socket: a SIP message is one write and waits for nothing after it; with Nagle a
// 200 queued behind an unacknowledged 100 Trying waited for the peer's delayed ACK, and calls piled up.

export const tcpKind: StreamKind = {
  kind: "tcp",
  listen: (host, port) => NodeSocketServer.make({ host, port, noDelay: true }),
  connect: (destination) =>
    NodeSocket.makeNet({ host: destination.host, port: destination.port, noDelay: true, openTimeout: CONNECT_TIMEOUT_MS }),
  connectFailed: plainConnectFailed
}
