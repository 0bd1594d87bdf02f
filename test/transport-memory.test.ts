// The shared transport suite over the in-process memory links that every core
// test stands on, so they behave like a real transport where it matters.
import { memoryLinkPair } from '../lib/transport/memory'
import { generateKeyPair } from '../lib/protocol/crypto'
import { runTransportSuite, type Harness } from './transport-suite'

let port = 40000

runTransportSuite({
  name: 'memory',
  via: 'memory',
  timeoutMs: 5000,
  async setup (): Promise<Harness> {
    return {
      async pair () {
        const dialerKey = generateKeyPair()
        const acceptorKey = generateKeyPair()
        const [dialer, acceptor] = memoryLinkPair(dialerKey.publicKey, `127.0.0.1:${port++}`, acceptorKey.publicKey, `127.0.0.1:${port++}`)
        return { dialer, acceptor, dialerKey, acceptorKey }
      },
      async close () {}
    }
  }
})
