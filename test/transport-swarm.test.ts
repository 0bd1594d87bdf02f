// The shared transport suite over hyperswarm, on a local DHT testnet
// (hyperdht/testnet on 127.0.0.1; never the public DHT).
import test from 'tape'
import createTestnet from 'hyperdht/testnet'
import type { Link } from '../lib/core/link'
import { SwarmTransport, topicKey } from '../lib/transport/swarm'
import { startDhtNode } from '../lib/transport/dht-node'
import { generateKeyPair } from '../lib/protocol/crypto'
import { runTransportSuite, type Harness } from './transport-suite'
import { freeUdpPort } from './helpers/ports'

const HOST = '127.0.0.1'
let topics = 0
const GREETING = Buffer.from('greeting')

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
        const dialed = new Promise<Link>((resolve, reject) => {
          // The dialler's end is handed over together with the far end's first frame (a node's HELLO).
          onDial = link => link.once('frame', (f: Buffer) => f.equals(GREETING) ? resolve(link) : reject(new Error('first frame lost or altered')))
        })
        const acceptor = make(link => onAccept(link))
        const dialer = make(link => onDial(link))
        await acceptor.tr.join(topic, { server: true, client: false })
        await dialer.tr.join(topic, { server: false, client: true })
        const acceptorLink = await accepted
        acceptorLink.send(GREETING)
        return { dialer: await dialed, acceptor: acceptorLink, dialerKey: dialer.keyPair, acceptorKey: acceptor.keyPair }
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

test('swarm discovery: DHT_UNREACHABLE while no bootstrap answers, joined once one does', async (t) => {
  t.timeoutAfter(20_000)
  const closers: Array<() => Promise<void>> = []
  t.teardown(async () => { for (const c of closers) await c().catch(() => {}) })
  const port = await freeUdpPort()
  const faults: Array<{ code: string; message: string }> = []
  const states: string[] = []
  let onState!: (s: string) => void
  const tr = new SwarmTransport({
    keyPair: generateKeyPair(),
    host: HOST,
    bootstrap: [{ host: HOST, port }],
    onLink: link => link.destroy(),
    onDiscovery: d => { states.push(d.state); onState?.(d.state) },
    onFault: err => faults.push({ code: err.code, message: err.message }),
    timing: { unreachableMs: 300, retryMs: 200 }
  })
  closers.push(() => tr.close())
  const waitState = (want: string) => new Promise<void>(resolve => {
    if (states.at(-1) === want) return resolve()
    onState = s => { if (s === want) resolve() }
  })
  void tr.join('late-bootstrap')
  await waitState('error')
  t.deepEqual(faults.map(f => f.code), ['DHT_UNREACHABLE'], 'one DHT_UNREACHABLE fault')
  t.ok(faults[0].message.includes(`${HOST}:${port}`), 'it names the bootstrap address')
  t.deepEqual(states, ['joining', 'error'], 'joining, then error')
  const boot = await startDhtNode(HOST, port)
  closers.push(() => boot.close())
  await waitState('joined')
  t.equal(states.at(-1), 'joined', 'keeps retrying and joins once the bootstrap node is up')
})
