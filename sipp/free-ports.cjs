// node sipp/free-ports.cjs N: prints N ports free on 127.0.0.1 for both UDP and TCP, asked of the OS and
// all held until every one is known (so none repeats). Used by sipp/run_tests.sh and the bench scripts.
const net = require("node:net")
const dgram = require("node:dgram")

const want = Number(process.argv[2])
const held = []
const ports = []
const one = (tries) => {
  const server = net.createServer()
  server.listen(0, "127.0.0.1", () => {
    const port = server.address().port
    const udp = dgram.createSocket("udp4")
    udp.once("error", () => {
      server.close()
      if (tries > 0) one(tries - 1)
      else process.exit(1)
    })
    udp.bind(port, "127.0.0.1", () => {
      held.push(server, udp)
      ports.push(port)
      if (ports.length < want) one(50)
      else {
        console.log(ports.join(" "))
        for (const handle of held) handle.close()
      }
    })
  })
}
one(50)
