// node sipp/free-ports.cjs N [WIDTH]: prints N ports on 127.0.0.1, each the first of WIDTH consecutive ports
// (default 1) free for both UDP and TCP. Every port of every block is held until all N are known, so no two
// blocks overlap. WIDTH 4 suits a SIPp media port: SIPp binds -mp and the three ports above it (audio
// RTP/RTCP, video RTP/RTCP), and a signalling port landing in that range fails the run with EADDRINUSE.
// Used by sipp/run_tests.sh and the bench scripts.
const net = require("node:net")
const dgram = require("node:dgram")

const want = Number(process.argv[2])
const width = Number(process.argv[3] ?? 1)
const held = []
const starts = []

// Holds PORT (0: one the OS picks for TCP) for TCP and UDP, or closes what it opened and reports false.
const hold = (port) =>
  new Promise((resolve) => {
    const server = net.createServer()
    server.once("error", () => resolve(false))
    server.listen(port, "127.0.0.1", () => {
      const udp = dgram.createSocket("udp4")
      udp.once("error", () => {
        server.close()
        resolve(false)
      })
      udp.bind(server.address().port, "127.0.0.1", () => {
        held.push(server, udp)
        resolve(true)
      })
    })
  })

const release = (from) => {
  for (const handle of held.splice(from)) handle.close()
}

const block = async () => {
  for (let tries = 0; tries < 200; tries++) {
    const mark = held.length
    if (!(await hold(0))) continue
    const first = held[mark].address().port
    // the OS chose `first` for TCP; the block must also fit below 65536 and be free above it
    let ok = first + width - 1 <= 65535
    for (let port = first + 1; ok && port < first + width; port++) ok = await hold(port)
    if (ok) return first
    release(mark)
  }
  throw new Error(`no block of ${width} free ports found`)
}

const main = async () => {
  for (let i = 0; i < want; i++) starts.push(await block())
  console.log(starts.join(" "))
  release(0)
}
main().catch((error) => {
  console.error(String(error))
  process.exit(1)
})
