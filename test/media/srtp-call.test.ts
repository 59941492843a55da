/**
 * An SRTP call (RFC 3711, SDES keys RFC 4568) to our echo server from a peer written here with werift's
 * SRTP contexts: INVITE offering RTP/SAVP over UDP, our answer's key, encrypted audio each way. The echo
 * comes back encrypted with the server's key and decrypts to what we sent; a tampered packet and a
 * replayed one are dropped (never echoed), and so is plain RTP.
 */
import { describe, expect, it } from "@effect/vitest"
import { Effect, Stream } from "effect"
import { randomBytes } from "node:crypto"
import * as Dgram from "node:dgram"
import { RtpHeader, SrtpSession } from "werift-rtp"
import { CallDecision, ServerSessionManager, type SessionEvent } from "../../src/index.ts"

const rtpBase = 58900 + 2 * Math.floor(Math.random() * 40)

const bound = (): Promise<Dgram.Socket> =>
  new Promise((resolve) => {
    const socket = Dgram.createSocket("udp4")
    socket.bind(0, "127.0.0.1", () => resolve(socket))
  })

const until = async <A>(check: () => A | undefined, ms = 3000): Promise<A> => {
  const end = Date.now() + ms
  while (Date.now() < end) {
    const value = check()
    if (value !== undefined) return value
    await new Promise((r) => setTimeout(r, 10))
  }
  throw new Error("timed out")
}

const rtp = (seq: number, payload: Buffer): { header: RtpHeader; payload: Buffer } => ({
  header: new RtpHeader({ version: 2, payloadType: 0, sequenceNumber: seq, timestamp: seq * 160, ssrc: 0x1234abcd, marker: seq === 1 }),
  payload
})

describe("an SRTP call (RTP/SAVP with SDES)", () => {
  it.live("encrypted audio echoed back under the server's key; tampered, replayed and plain packets dropped", () =>
    Effect.gen(function*() {
      const server = yield* ServerSessionManager
      const port = server.local[0].port
      const events: Array<SessionEvent> = []
      yield* Stream.runForEach(yield* server.subscribe, (e) => Effect.sync(() => void events.push(e))).pipe(Effect.forkScoped)
      const sip = yield* Effect.promise(bound)
      const media = yield* Effect.promise(bound)
      yield* Effect.addFinalizer(() => Effect.sync(() => { sip.close(); media.close() }))
      const sipIn: Array<string> = []
      const rtpIn: Array<Buffer> = []
      sip.on("message", (m) => void sipIn.push(m.toString()))
      media.on("message", (m) => void rtpIn.push(m))
      const me = `127.0.0.1:${sip.address().port}`
      const ourKey = randomBytes(30)
      const sdp = ["v=0", "o=- 1 1 IN IP4 127.0.0.1", "s=-", "c=IN IP4 127.0.0.1", "t=0 0",
        `m=audio ${media.address().port} RTP/SAVP 0`, "a=rtpmap:0 PCMU/8000",
        `a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:${ourKey.toString("base64")}`, "a=sendrecv", ""].join("\r\n")
      const head = (method: string, uri: string, branch: string, cseq: number, to: string) => [
        `${method} ${uri} SIP/2.0`, `Via: SIP/2.0/UDP ${me};branch=z9hG4bK-${branch};rport`, "Max-Forwards: 70",
        "From: <sip:peer@127.0.0.1>;tag=p1", `To: ${to}`, "Call-ID: srtp-call-1", `CSeq: ${cseq} ${method}`,
        `Contact: <sip:peer@${me}>`
      ]
      const send = (text: string) => sip.send(text, port, "127.0.0.1")
      send([...head("INVITE", `sip:echo@127.0.0.1:${port}`, "inv", 1, "<sip:echo@127.0.0.1>"),
        "Content-Type: application/sdp", `Content-Length: ${sdp.length}`, "", sdp].join("\r\n"))
      const ok = yield* Effect.promise(() => until(() => sipIn.find((m) => m.startsWith("SIP/2.0 200"))))
      expect(ok).toContain("m=audio")
      expect(ok).toMatch(/m=audio \d+ RTP\/SAVP 0/)
      const theirKey = Buffer.from(/a=crypto:1 AES_CM_128_HMAC_SHA1_80 inline:([A-Za-z0-9+/=]+)/.exec(ok)![1], "base64")
      const theirPort = Number(/m=audio (\d+)/.exec(ok)![1])
      const to = /^To: ([^\r\n]*)/m.exec(ok)![1]
      send([...head("ACK", `sip:echo@127.0.0.1:${port}`, "ack", 1, to), "Content-Length: 0", "", ""].join("\r\n"))
      // Media starts at the ACK (docs/architecture.md): let it arrive first.
      yield* Effect.sleep("150 millis")

      const srtp = new SrtpSession({
        keys: {
          localMasterKey: ourKey.subarray(0, 16), localMasterSalt: ourKey.subarray(16),
          remoteMasterKey: theirKey.subarray(0, 16), remoteMasterSalt: theirKey.subarray(16)
        },
        profile: 1
      })
      const payloads = Array.from({ length: 20 }, (_, i) => Buffer.alloc(160, 0x10 + i))
      const sent: Array<Buffer> = []
      for (let i = 0; i < payloads.length; i++) {
        const { header, payload } = rtp(i + 1, payloads[i])
        const packet = srtp.encrypt(payload, header)
        sent.push(packet)
        media.send(packet, theirPort, "127.0.0.1")
        yield* Effect.sleep("20 millis")
      }
      // Tampered (payload bit flipped), replayed (packet 5 again), plain RTP: none is echoed.
      const tampered = Buffer.from(sent[19]); tampered[20] ^= 1
      tampered.writeUInt16BE(21, 2)
      media.send(tampered, theirPort, "127.0.0.1")
      media.send(sent[4], theirPort, "127.0.0.1")
      const plain = rtp(22, payloads[0])
      media.send(Buffer.concat([plain.header.serialize(plain.header.serializeSize), plain.payload]), theirPort, "127.0.0.1")
      yield* Effect.sleep("400 millis")

      expect(rtpIn.length).toBe(payloads.length)
      const echoed = rtpIn.map((p) => srtp.decrypt(p))
      expect(echoed.map((p) => p.subarray(12).toString("hex"))).toEqual(payloads.map((p) => p.toString("hex")))
      // The server's packets are not readable as plain RTP: the payload on the wire is not what we sent.
      expect(rtpIn[0].subarray(12, 172).equals(payloads[0])).toBe(false)
      send([...head("BYE", `sip:echo@127.0.0.1:${port}`, "bye", 2, to), "Content-Length: 0", "", ""].join("\r\n"))
      yield* Effect.promise(() => until(() => sipIn.find((m) => m.startsWith("SIP/2.0 200") && m.includes("CSeq: 2 BYE"))))
      const stopped = yield* Effect.promise(() => until(() => events.find((e) => e._tag === "MediaStopped")))
      // The tampered, the replayed and the plain packet (no valid authentication tag).
      expect((stopped as Extract<SessionEvent, { _tag: "MediaStopped" }>).stats).toMatchObject({ packetsReceived: 20 })
      expect((stopped as Extract<SessionEvent, { _tag: "MediaStopped" }>).stats.srtpDropped).toBe(3)
    }).pipe(
      Effect.scoped,
      Effect.provide(ServerSessionManager.layer(() => Effect.succeed(CallDecision.accept({ media: { _tag: "Echo" } })), {
        host: "127.0.0.1", port: 0, rtpPortMin: rtpBase, rtpPortMax: rtpBase + 9, mediaTimeoutMs: 0
      }))
    ))
})
