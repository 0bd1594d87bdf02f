// Hostile peer exchange. (a) In process: a flood of entries claiming the
// victim's own key, and of addresses from ever-new sources, leaves every set
// within its cap. (b) Real processes: a victim and its neighbour run the built
// bin; an in-process attacker node linked to the victim over real TCP+Noise
// points them at a third TCP listener in 12 spellings with changing keys; the
// listener counts the connections it gets.
import test from 'tape'
import net from 'net'
import { PeerExchange } from '../../lib/core/pex'
import { PeerTable } from '../../lib/core/peer-table'
import type { Link } from '../../lib/core/link'
import { MeshNode } from '../../lib/core/node'
import { TcpTransport } from '../../lib/transport/tcp'
import { generateKeyPair } from '../../lib/protocol/crypto'
import { encodePex } from '../../lib/protocol/frames'
import { MAX_PEX_ENTRIES } from '../../lib/protocol/limits'
import {
  MAX_KNOWN_ADDRESSES, MAX_SELF_ADDRESSES, MAX_PEX_DIALS_PER_MIN, MAX_PEX_SOURCES
} from '../../lib/core/pex-limits'
import { Cluster } from '../helpers/proc'

const FRAMES = 2000
const addr = (n: number) => `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}:${1000 + (n % 50000)}`

function exchange (id: string, now: () => number) {
  const table = new PeerTable(now, 500)
  const pex = new PeerExchange({
    id, table, sessions: () => [], linkedKeys: () => new Set<string>(), dialing: () => new Set<string>(),
    dial: async () => { throw new Error('no dialing here') }, canDial: () => false,
    minLinks: 0, maxLinks: 32, intervalMs: 15_000, now
  })
  return { table, pex }
}

test(`(a) ${FRAMES} frames of ${MAX_PEX_ENTRIES} own-key entries: no address becomes ours, sets stay capped`, (t) => {
  const self = generateKeyPair().publicKey
  const id = self.toString('hex')
  let clock = 1_000_000
  const { table, pex } = exchange(id, () => clock)
  const sender = 'cd'.repeat(32)
  let n = 0
  let claimedSelf = 0
  for (let f = 0; f < FRAMES; f++) {
    const first = n
    const entries = Array.from({ length: MAX_PEX_ENTRIES }, () => ({ key: self, address: addr(n++) }))
    pex.onFrame(encodePex(entries), sender)
    for (let i = first; i < n; i += 97) if (table.isSelf(addr(i))) claimedSelf++
    clock += 10
  }
  t.equal(n, FRAMES * MAX_PEX_ENTRIES, `${n} entries sent`)
  t.equal(claimedSelf, 0, 'no exchanged address was taken as our own')
  t.ok(table.selfCount <= MAX_SELF_ADDRESSES, `own addresses ${table.selfCount} <= ${MAX_SELF_ADDRESSES}`)
  t.equal(table.size, 0, 'none learnt as a peer either')
  t.equal(pex.stats.selfIgnored, n, 'every one counted as ignored')
  t.end()
})

test(`(a) ${FRAMES} frames of fresh addresses from ever-new sources: table and source windows stay capped`, (t) => {
  let clock = 1_000_000
  const { table, pex } = exchange(generateKeyPair().publicKey.toString('hex'), () => clock)
  let n = 0
  for (let f = 0; f < FRAMES; f++) {
    const entries = Array.from({ length: MAX_PEX_ENTRIES }, () => ({ key: Buffer.alloc(32, n % 251), address: addr(n++) }))
    pex.onFrame(encodePex(entries), f.toString(16).padStart(64, '0'))
    clock += 10
  }
  t.ok(table.size <= MAX_KNOWN_ADDRESSES, `known ${table.size} <= ${MAX_KNOWN_ADDRESSES}`)
  t.ok(pex.sources <= MAX_PEX_SOURCES, `source windows ${pex.sources} <= ${MAX_PEX_SOURCES}`)
  t.ok(pex.stats.overPeerLimit > 0, `${pex.stats.overPeerLimit} entries over the per-peer limit`)
  t.end()
})

const SPELLINGS = ['127.0.0.1', '127.1', '127.0.1', '0x7f000001', '2130706433', '127.000.000.001', '0177.0.0.1',
  '0x7f.0.0.1', '0x7f.1', '017700000001', '[::ffff:127.0.0.1]', '127.0.0.01']
const ATTACK_MS = 3000
const ROUND_MS = 250

test('(b) real processes: PEX pointing at a third party in 12 spellings gets it only a few connections', async (t) => {
  t.timeoutAfter(30_000)
  const c = new Cluster(t)
  let accepted = 0
  const target = net.createServer(socket => { accepted++; socket.destroy() })
  await new Promise<void>(resolve => target.listen(0, '127.0.0.1', () => resolve()))
  const port = (target.address() as net.AddressInfo).port
  c.cleanups.push(() => target.close())

  const victim = await c.start({ name: 'victim' })
  const neighbour = await c.start({ name: 'neighbour', args: ['--peer', victim.listen] })
  await victim.waitPeerUp(neighbour.id)

  const keyPair = generateKeyPair()
  const attacker = new MeshNode({ keyPair, nick: 'mallory', pex: false, minLinks: 0, timing: { tickMs: 100, keepAliveMs: 500 } })
  attacker.on('fault', () => {})
  const tcp = new TcpTransport({ keyPair, host: '127.0.0.1', port: 0, onLink: link => { attacker.addLink(link) }, onFault: () => {} })
  c.cleanups.push(() => { attacker.close(); tcp.close() })
  attacker.setListenAddress(await tcp.listen())
  // The attacker writes raw PEX frames on the very link its node dialled.
  let session: Link | null = null
  attacker.setDialer(async a => { session = await tcp.dial(a); return session })
  attacker.start()
  await attacker.dial(victim.listen)
  await victim.waitPeerUp(attacker.id)

  for (let round = 0; round < ATTACK_MS / ROUND_MS; round++) {
    const claimed = generateKeyPair().publicKey // a new key every round
    session!.send(encodePex(SPELLINGS.map((h, i) => ({ key: claimed, address: `${h}:${i % 2 ? '0' : ''}${port}` }))))
    await new Promise(resolve => setTimeout(resolve, ROUND_MS))
  }
  attacker.send('marker after the attack')
  await victim.waitMessage('marker after the attack')
  await neighbour.waitMessage('marker after the attack')
  const seen = accepted
  t.ok(seen >= 1, `the victim did act on the exchanged address (${seen} connections)`)
  t.ok(seen <= 2 * MAX_PEX_DIALS_PER_MIN, `${seen} connections to the target from victim and neighbour in ${ATTACK_MS} ms (limit ${MAX_PEX_DIALS_PER_MIN}/min each)`)
  t.equal(victim.child.exitCode, null, 'victim still running')
})
