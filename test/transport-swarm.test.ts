// The shared transport suite over hyperswarm, on a local DHT testnet
// (hyperdht/testnet on 127.0.0.1; never the public DHT).
import test from 'tape'
import createTestnet from 'hyperdht/testnet'
import type { Link } from '../lib/core/link'
import { SwarmTransport, topicKey } from '../lib/transport/swarm'
import { generateKeyPair } from '../lib/protocol/crypto'
import { runTransportSuite, type Harness } from './transport-suite'

const HOST = '127.0.0.1'
let topics = 0

runTransportSuite({
  name: 'swarm',
  via: 'swarm',
  timeoutMs: 20_000,
  async setup (): Promise<Harness> {
    const testnet = await createTestnet(3, { host: HOST })
    const transports: SwarmTransport[] = []
    const make = (onLink: (link: Link) => void) => {
      const keyPair = generateKeyPair()
      const tr = new SwarmTransport({ keyPair, host: HOST, bootstrap: testnet.bootstrap, onLink })
      transports.push(tr)
      return { tr, keyPair }
    }
    return {
      async pair () {
        // One side only announces and the other only looks up, so exactly one connection forms.
        const topic = `suite-${process.pid}-${topics++}`
        let onAccept!: (link: Link) => void
        let onDial!: (link: Link) => void
        const accepted = new Promise<Link>(resolve => { onAccept = resolve })
        const dialed = new Promise<Link>(resolve => { onDial = resolve })
        const acceptor = make(link => onAccept(link))
        const dialer = make(link => onDial(link))
        await acceptor.tr.join(topic, { server: true, client: false })
        await dialer.tr.join(topic, { server: false, client: true })
        return { dialer: await dialed, acceptor: await accepted, dialerKey: dialer.keyPair, acceptorKey: acceptor.keyPair }
      },
      async close () {
        await Promise.all(transports.map(tr => tr.close().catch(() => {})))
        await testnet.destroy().catch(() => {})
      }
    }
  }
})

test('swarm topic keys: fixed prefix, distinct per name, 32 bytes', (t) => {
  const a = topicKey('rust-meetup')
  t.equal(a.byteLength, 32, '32-byte DHT key')
  t.ok(a.equals(topicKey('rust-meetup')), 'same name, same key')
  t.notOk(a.equals(topicKey('rust-meetup2')), 'another name, another key')
  t.end()
})
