// `meshchat dht`: runs a DHT bootstrap node for a private hyperswarm network
// and prints the address to give to --bootstrap as the first stdout line.
// A long-running service: exit 0 on SIGINT/SIGTERM, 1 when it cannot start,
// 2 for bad options.
import { Command } from 'commander'
import { failer, parseOrExit, type Fail } from './exit'
import { parseAddress } from '../lib/protocol/address'
import { errorMessage } from '../lib/protocol/errors'
import { DEFAULT_DHT_PORT, DHT_CLOSE_TIMEOUT_MS, defaultDhtHost, startDhtNode } from '../lib/transport/dht-node'

const fail: Fail = failer('meshchat dht')

export function buildDhtProgram (): Command {
  return new Command()
    .name('meshchat dht')
    .description('Run a DHT bootstrap node for a private network (a LAN without internet, an air-gapped site, tests). Prints HOST:PORT on the first line; give it to every peer as --bootstrap.')
    .option('-l, --listen <host:port>', 'IPv4 address and UDP port peers reach this node at (port 0 picks a free port)',
      `${defaultDhtHost()}:${DEFAULT_DHT_PORT}`)
    .addHelpText('after', `
Example:
  meshchat dht --listen 192.168.1.9:49736
  meshchat --nick alice --topic team --bootstrap 192.168.1.9:49736     # on every peer

The node must be reachable over UDP. It keeps running until SIGINT or SIGTERM (exit status 0).`)
}

/** argv as process.argv, with the 'dht' word already removed. */
export async function runDht (argv: string[]): Promise<void> {
  const program = buildDhtProgram()
  parseOrExit(program, argv, fail)
  const listen: string = program.opts().listen
  let host: string
  let port: number
  try {
    ({ host, port } = parseAddress(listen))
  } catch (err) {
    fail(2, `invalid --listen '${listen}': ${errorMessage(err).replace(/^invalid address '[^']*': /, '')}`)
  }
  let node
  try {
    node = await startDhtNode(host, port)
  } catch (err) {
    fail((err as { code?: string }).code === 'BAD_OPTION' ? 2 : 1, errorMessage(err))
  }
  process.stdout.write(`${node.address}\n`)
  process.stderr.write(`meshchat dht: bootstrap node running on ${node.address} (UDP); peers join with --bootstrap ${node.address}\n`)
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
