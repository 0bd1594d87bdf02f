// The shared transport suite over TCP + Noise on loopback.
import type { Link } from '../lib/core/link'
import { TcpTransport } from '../lib/transport/tcp'
import { generateKeyPair } from '../lib/protocol/crypto'
import { runTransportSuite, type Harness } from './transport-suite'

runTransportSuite({
  name: 'tcp',
  via: 'tcp',
  timeoutMs: 10_000,
  async setup (): Promise<Harness> {
    const transports: TcpTransport[] = []
    return {
      async pair () {
        const acceptorKey = generateKeyPair()
        const dialerKey = generateKeyPair()
        let onAccept!: (link: Link) => void
        const accepted = new Promise<Link>(resolve => { onAccept = resolve })
        const server = new TcpTransport({ keyPair: acceptorKey, host: '127.0.0.1', port: 0, onLink: link => onAccept(link) })
        const client = new TcpTransport({ keyPair: dialerKey, host: '127.0.0.1', port: 0, onLink: link => link.destroy() })
        transports.push(server, client)
        const address = await server.listen()
        const dialer = await client.dial(address)
        return { dialer, acceptor: await accepted, dialerKey, acceptorKey }
      },
      async close () {
        await Promise.all(transports.map(tr => tr.close().catch(() => {})))
      }
    }
  }
})
