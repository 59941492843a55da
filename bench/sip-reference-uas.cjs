/**
 * The yardstick for `bench:calls` (BENCH_TARGET=sip): the npm `sip` package's minimal UAS, as the issue
 * describes it — 200 OK with an SDP answer to every INVITE, 200 to BYE, nothing else. No dialogs, no
 * transaction state of its own beyond the package's, no media ports. Run on the same machine and harness
 * as our server, it shows what SIPp itself lets any Node UAS reach here.
 *
 *   node bench/sip-reference-uas.cjs PORT     (127.0.0.1 only)
 */
const sip = require("sip")

const port = Number(process.argv[2])
const sdp = [
  "v=0", "o=- 1 1 IN IP4 127.0.0.1", "s=-", "c=IN IP4 127.0.0.1", "t=0 0",
  "m=audio 30000 RTP/AVP 0", "a=rtpmap:0 PCMU/8000", ""
].join("\r\n")
let tags = 0

sip.start({ port, address: "127.0.0.1", tcp: false, logger: {} }, (request) => {
  if (request.method === "INVITE") {
    const response = sip.makeResponse(request, 200, "OK")
    response.headers.to.params.tag = `ref${++tags}`
    response.headers.contact = [{ uri: `sip:uas@127.0.0.1:${port}` }]
    response.headers["content-type"] = "application/sdp"
    response.content = sdp
    sip.send(response)
  } else if (request.method === "BYE") {
    sip.send(sip.makeResponse(request, 200, "OK"))
  } else if (request.method !== "ACK") {
    sip.send(sip.makeResponse(request, 405, "Method Not Allowed"))
  }
})
console.log(`sip reference UAS listening on udp 127.0.0.1:${port}`)
process.on("SIGTERM", () => { sip.stop(); process.exit(0) })
