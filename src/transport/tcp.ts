/**
 * TCP (§18.3): a plain stream listener.
 */
import * as NodeSocket from "@effect/platform-node/NodeSocket"
import * as NodeSocketServer from "@effect/platform-node/NodeSocketServer"
import { plainConnectFailed, type StreamKind } from "./stream-listener.ts"

/** How long a dial may take before the send fails with ConnectFailed (Timer B's 64*T1 would be far too long). */
export const CONNECT_TIMEOUT_MS = 10_000

export const tcpKind: StreamKind = {
  kind: "tcp",
  listen: (host, port) => NodeSocketServer.make({ host, port }),
  connect: (destination) =>
    NodeSocket.makeNet({ host: destination.host, port: destination.port, openTimeout: CONNECT_TIMEOUT_MS }),
  connectFailed: plainConnectFailed
}
