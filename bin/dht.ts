// `meshchat dht`: runs the DHT of a private hyperswarm network (--nodes
// hyperdht nodes in this one process) and prints every node's address, one a
// line; the first line alone is enough for --bootstrap.
// A long-running service: exit 0 on SIGINT/SIGTERM, 1 when it cannot start,
// 2 for bad options.
import { Command } from 'commander'
import { failer, parseOrExit, type Fail } from './exit'
import { parseAddress } from '../lib/protocol/address'
import { errorMessage } from '../lib/protocol/errors'
import { DEFAULT_DHT_NODES, DEFAULT_DHT_PORT, DHT_CLOSE_TIMEOUT_MS, MAX_DHT_NODES, MIN_DHT_NODES_FOR_HOLEPUNCH, defaultDhtHost, startDhtNodes } from '../lib/transport/dht-node'

const fail: Fail = failer('meshchat dht')

export function buildDhtProgram (): Command {
  return new Command()
    .name('meshchat dht')
    .description('Run the DHT of a private network (a LAN without internet, an air-gapped site, your own server for peers behind NATs, tests). Prints every node\'s HOST:PORT, one a line; the first line alone is enough for --bootstrap.')
    .option('-l, --listen <host:port>', 'IPv4 address and UDP port peers reach the first node at; further nodes take the ports below it (port 0 picks free ports)',
      `${defaultDhtHost()}:${DEFAULT_DHT_PORT}`)
    .option('-n, --nodes <n>', `DHT nodes to run in this process (1-${MAX_DHT_NODES}); peers behind NATs need at least ${MIN_DHT_NODES_FOR_HOLEPUNCH} to hole-punch`, String(DEFAULT_DHT_NODES))
    .addHelpText('after', `
Example:
  meshchat dht --listen 192.168.1.9:49736       # nodes on UDP 49736, 49735, 49734, 49733
  meshchat --nick alice --topic team --bootstrap 192.168.1.9:49736     # on every peer

The nodes must be reachable over UDP. They keep running until SIGINT or SIGTERM (exit status 0).`)
}

/** argv as process.argv, with the 'dht' word already removed. */
export async function runDht (argv: string[]): Promise<void> {
  const program = buildDhtProgram()
  parseOrExit(program, argv, fail)
  const listen: string = program.opts().listen
  const nodesText: string = program.opts().nodes
  const count = Number(nodesText)
  if (!/^\d+$/.test(nodesText) || count < 1 || count > MAX_DHT_NODES) fail(2, `invalid --nodes '${nodesText}': give 1 to ${MAX_DHT_NODES}`)
  let host: string
  let port: number
  try {
    ({ host, port } = parseAddress(listen))
  } catch (err) {
    fail(2, `invalid --listen '${listen}': ${errorMessage(err).replace(/^invalid address '[^']*': /, '')}`)
  }
  let node
  try {
    node = await startDhtNodes(host, port, count)
  } catch (err) {
    fail((err as { code?: string }).code === 'BAD_OPTION' ? 2 : 1, errorMessage(err))
  }
  process.stdout.write(node.addresses.map(a => `${a}\n`).join(''))
  const few = count < MIN_DHT_NODES_FOR_HOLEPUNCH ? `; with fewer than ${MIN_DHT_NODES_FOR_HOLEPUNCH} nodes peers behind NATs cannot hole-punch` : ''
  process.stderr.write(`meshchat dht: ${count} DHT node${count === 1 ? '' : 's'} running on ${node.addresses.join(', ')} (UDP); peers join with --bootstrap ${node.address}${few}\n`)
  let closing = false
  const shutdown = () => {
    if (closing) return
    closing = true
    const force = setTimeout(() => process.exit(0), 2 * DHT_CLOSE_TIMEOUT_MS)
    node.close().finally(() => { clearTimeout(force); process.exit(0) })
  }
  process.on('SIGINT', shutdown)
  process.on('SIGTERM', shutdown)
  process.stdout.on('error', () => {})
}
