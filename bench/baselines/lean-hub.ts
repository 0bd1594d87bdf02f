// The leanest Node broadcast hub: a net server that forwards every complete
// line a client sends to every other client, and nothing else. It is the
// practical limit a line gateway in Node can approach.
// Usage: node dist/bench/baselines/lean-hub.js HOST PORT
import net from 'net'

const NEWLINE = 0x0a
const clients = new Set<net.Socket>()

function onClient (socket: net.Socket): void {
  socket.setNoDelay(true)
  clients.add(socket)
  let pending: Buffer | null = null
  socket.on('data', (chunk: Buffer) => {
    const last = chunk.lastIndexOf(NEWLINE)
    if (last < 0) { pending = pending ? Buffer.concat([pending, chunk]) : chunk; return }
    // Forward whole lines only, in one write per receiver, so lines from
    // different senders never interleave.
    let lines = chunk.subarray(0, last + 1)
    if (pending) { lines = Buffer.concat([pending, lines]); pending = null }
    if (last + 1 < chunk.byteLength) pending = chunk.subarray(last + 1)
    for (const other of clients) if (other !== socket) other.write(lines)
  })
  socket.on('error', () => {})
  socket.on('close', () => clients.delete(socket))
}

function main (): void {
  const [host, portText] = process.argv.slice(2)
  const port = Number(portText)
  if (!host || !Number.isInteger(port)) {
    process.stderr.write('usage: lean-hub HOST PORT\n')
    process.exit(2)
  }
  const server = net.createServer(onClient)
  server.listen(port, host)
  const shutdown = () => { for (const c of clients) c.destroy(); server.close(() => process.exit(0)) }
  process.on('SIGTERM', shutdown)
  process.on('SIGINT', shutdown)
}

main()
