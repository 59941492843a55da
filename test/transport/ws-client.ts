/**
 * A WebSocket SIP client as a browser would be (Node's global WebSocket), for tests: it collects every
 * text frame as one message.
 */
import { Effect, type Scope } from "effect"

export interface WsClient {
  readonly socket: WebSocket
  readonly send: (text: string) => void
  /** Waits until a received frame contains `needle`; returns that frame (undefined after `timeoutMs`). */
  readonly waitFor: (needle: string, timeoutMs?: number) => Effect.Effect<string | undefined>
  readonly frames: ReadonlyArray<string>
}

const poll = <A>(check: () => A | undefined, timeoutMs: number): Promise<A | undefined> =>
  new Promise((resolve) => {
    const started = Date.now()
    const tick = () => {
      const value = check()
      if (value !== undefined) return resolve(value)
      if (Date.now() - started >= timeoutMs) return resolve(undefined)
      setTimeout(tick, 5)
    }
    tick()
  })

/** Opens `url` with the given subprotocols; fails (as a value: "refused") when the handshake is refused. */
export const wsClient = (url: string, protocols: ReadonlyArray<string> = ["sip"]): Effect.Effect<WsClient | "refused", never, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.promise(() =>
      new Promise<WebSocket | "refused">((resolve) => {
        const socket = new WebSocket(url, [...protocols])
        socket.onopen = () => resolve(socket)
        socket.onerror = () => resolve("refused")
      })
    ),
    (socket) => Effect.sync(() => socket !== "refused" && socket.close())
  ).pipe(Effect.map((socket) => {
    if (socket === "refused") return socket
    const frames: Array<string> = []
    socket.onmessage = (event) => void frames.push(String(event.data))
    return {
      socket,
      frames,
      send: (text) => socket.send(text),
      waitFor: (needle, timeoutMs = 3000) => Effect.promise(() => poll(() => frames.find((f) => f.includes(needle)), timeoutMs))
    }
  }))
