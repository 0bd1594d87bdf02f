// PeerExchange limits on a fake clock (no sleeps): own-key entries ignored,
// new addresses per peer per minute, dials per minute, a third party in many
// spellings with changing keys, and what is passed on.
import test from 'tape'
import { PeerExchange } from '../lib/core/pex'
import { PeerTable } from '../lib/core/peer-table'
import type { LinkSession } from '../lib/core/link-session'
import { encodePex, decodePex, type PexEntry } from '../lib/protocol/frames'
import {
  MAX_PEX_NEW_PER_PEER_PER_MIN, MAX_PEX_DIALS_PER_MIN, MAX_PEX_DIAL_FAILURES, PEX_WINDOW_MS
} from '../lib/core/pex-limits'

const SELF = 'ab'.repeat(32)
const key = (n: number) => n.toString(16).padStart(64, '0')
const entry = (k: string, address: string): PexEntry => ({ key: Buffer.from(k, 'hex'), address })
const flush = () => new Promise(resolve => setImmediate(resolve))

interface Opts { minLinks?: number; sessions?: LinkSession[]; dialOk?: boolean; targets?: string[] }
function rig (opts: Opts = {}) {
  const c = { t: 1_000_000 }
  const now = () => c.t
  const table = new PeerTable(now, 500)
  const dialed: string[] = []
  const faults: string[] = []
  const pex = new PeerExchange({
    id: SELF,
    table,
    sessions: () => opts.sessions ?? [],
    linkedKeys: () => new Set<string>(),
    dialing: () => new Set<string>(),
    isTarget: a => (opts.targets ?? []).includes(a),
    dial: async (a) => { dialed.push(a); if (!opts.dialOk) throw new Error('refused') },
    canDial: () => true,
    minLinks: opts.minLinks ?? 4,
    maxLinks: 32,
    intervalMs: 15_000,
    now,
    fault: code => faults.push(code)
  })
  return { c, table, pex, dialed, faults }
}

test('entries claiming our own key are ignored', (t) => {
  const { pex, table } = rig()
  pex.onFrame(encodePex([entry(SELF, '10.0.0.1:7000'), entry(SELF, '10.0.0.2:7000')]), key(1))
  t.notOk(table.isSelf('10.0.0.1:7000'), 'not taken as our own address')
  t.equal(table.selfCount, 0)
  t.equal(table.size, 0, 'nor learnt as a peer')
  t.equal(pex.stats.selfIgnored, 2)
  t.end()
})

test(`one peer introduces at most ${MAX_PEX_NEW_PER_PEER_PER_MIN} new addresses a minute`, async (t) => {
  const { c, pex, table, faults } = rig()
  const addrs = Array.from({ length: 20 }, (_, i) => `10.0.1.${i + 1}:7000`)
  pex.onFrame(encodePex(addrs.slice(0, 4).map((a, i) => entry(key(i + 10), a))), key(1))
  // Resending what it already told us costs nothing.
  pex.onFrame(encodePex(addrs.slice(0, 12).map((a, i) => entry(key(i + 10), a))), key(1))
  t.equal(table.size, MAX_PEX_NEW_PER_PEER_PER_MIN, 'capped')
  t.equal(pex.stats.overPeerLimit, 12 - MAX_PEX_NEW_PER_PEER_PER_MIN, 'excess counted')
  t.deepEqual(faults, ['PEX_LIMIT'], 'reported once')
  pex.onFrame(encodePex(addrs.slice(12).map((a, i) => entry(key(i + 30), a))), key(1))
  t.equal(table.size, MAX_PEX_NEW_PER_PEER_PER_MIN, 'still capped within the minute')
  t.deepEqual(faults, ['PEX_LIMIT'], 'not reported again within the minute')
  pex.onFrame(encodePex([entry(key(50), '10.0.2.1:7000')]), key(2))
  t.equal(table.size, MAX_PEX_NEW_PER_PEER_PER_MIN + 1, 'another peer has its own budget')
  c.t += PEX_WINDOW_MS
  pex.onFrame(encodePex(addrs.slice(12).map((a, i) => entry(key(i + 30), a))), key(1))
  t.equal(table.size, 2 * MAX_PEX_NEW_PER_PEER_PER_MIN + 1, 'a minute later the first peer may add more')
  t.end()
})

test(`the node dials at most ${MAX_PEX_DIALS_PER_MIN} exchanged addresses a minute`, async (t) => {
  const { c, pex, dialed } = rig({ minLinks: 100 })
  for (let p = 0; p < 4; p++) {
    pex.onFrame(encodePex(Array.from({ length: 8 }, (_, i) => entry(key(p * 8 + i + 10), `10.0.${p}.${i + 1}:7000`))), key(p + 1))
  }
  for (let step = 0; step < 590; step++) { pex.tick(); await flush(); c.t += 100 }
  t.equal(dialed.length, MAX_PEX_DIALS_PER_MIN, `${dialed.length} dials in the first minute`)
  t.ok(pex.stats.dialsDeferred > 0, `${pex.stats.dialsDeferred} dials deferred`)
  c.t += 1000
  for (let step = 0; step < 600; step++) { pex.tick(); await flush(); c.t += 100 }
  t.ok(dialed.length <= 2 * MAX_PEX_DIALS_PER_MIN, `${dialed.length} dials in two minutes`)
  t.end()
})

test('a third party in 12 spellings with a new key every 2 s is dialled a few times, then refused', async (t) => {
  const { c, pex, table, dialed } = rig()
  const spellings = ['127.0.0.1', '127.1', '127.0.1', '0x7f000001', '2130706433', '127.000.000.001', '0177.0.0.1',
    '0x7f.0.0.1', '0x7f.1', '017700000001', '[::ffff:127.0.0.1]', '127.0.0.01'].map(h => `${h}:9999`)
  for (let step = 0; step < 9 * 600; step++) { // nine minutes in 100 ms steps
    if (step % 20 === 0) {
      const k = key(1000 + step)
      pex.onFrame(encodePex(spellings.map(s => entry(k, s))), key(1))
    }
    pex.tick()
    await flush()
    c.t += 100
  }
  t.ok(dialed.every(a => a === '127.0.0.1:9999'), 'only the canonical spelling is dialled')
  t.equal(dialed.length, MAX_PEX_DIAL_FAILURES, `${dialed.length} dials in nine minutes`)
  t.notOk(table.has('127.0.0.1:9999'), 'forgotten')
  t.ok(table.stats.badRefused > 0, `${table.stats.badRefused} later claims refused`)
  t.end()
})

function fakeSession (k: string, dialable: string | null, sent: Buffer[], dialedAddress: string | null = null): LinkSession {
  return { established: true, shareable: true, dialable, dialedAddress, key: k, link: { remotePublicKey: Buffer.from(k, 'hex') }, send: (f: Buffer) => sent.push(f) } as unknown as LinkSession
}

test('only live links and addresses we reached are passed on', async (t) => {
  const sent: Buffer[] = []
  const sessions = [fakeSession(key(1), '10.0.0.1:7000', sent), fakeSession(key(2), '0x0a000002:7000', [])]
  const { pex, table } = rig({ sessions, dialOk: true })
  pex.onFrame(encodePex([entry(key(3), '10.0.0.3:7000'), entry(key(4), '10.0.0.4:7000')]), key(2))
  table.succeeded('10.0.0.4:7000')
  pex.send()
  const got = decodePex(sent[sent.length - 1]).map(e => e.address).sort()
  t.deepEqual(got, ['10.0.0.2:7000', '10.0.0.4:7000'], 'the other link (canonical) and the verified address; not the one only heard of')
  t.end()
})

test('a dial that reached an exchanged address fixes its key; redials of it do not spend the dial budget', async (t) => {
  const { c, pex, table, dialed } = rig({ minLinks: 100 })
  pex.onFrame(encodePex([entry(key(7), '10.0.0.7:7000')]), key(1))
  pex.onEstablished(fakeSession(key(8), '10.0.0.7:7000', [], '10.0.0.7:7000'))
  const e = table.entries().find(x => x.address === '10.0.0.7:7000')!
  t.equal(e.key, key(8), 'the key we reached replaces the claimed one')
  t.ok(e.verified, 'verified')
  for (let p = 0; p < 2; p++) {
    pex.onFrame(encodePex(Array.from({ length: 8 }, (_, i) => entry(key(p * 8 + i + 10), `10.0.${p + 1}.${i + 1}:7000`))), key(p + 2))
  }
  for (let step = 0; step < 100; step++) { pex.tick(); await flush(); c.t += 100 }
  t.equal(dialed.filter(a => a !== '10.0.0.7:7000').length, MAX_PEX_DIALS_PER_MIN, 'new addresses within the budget')
  t.ok(dialed.filter(a => a === '10.0.0.7:7000').length >= 2, 'the reached address redialled on its backoff regardless')
  t.end()
})

test('a --peer target that peer exchange also names is left to its own redials: it never spends the budget of never-reached addresses', async (t) => {
  const target = '10.0.9.1:7000'
  const { c, pex, dialed } = rig({ minLinks: 100, targets: [target] })
  // The target is named first, then the exchanged addresses that need the budget.
  pex.onFrame(encodePex([entry(key(50), target), ...Array.from({ length: MAX_PEX_DIALS_PER_MIN }, (_, i) => entry(key(60 + i), `10.0.8.${i + 1}:7000`))]), key(1))
  for (let step = 0; step < 590; step++) { pex.tick(); await flush(); c.t += 100 }
  t.notOk(dialed.includes(target), 'the target was not dialled by peer exchange')
  t.equal(new Set(dialed).size, MAX_PEX_DIALS_PER_MIN, `the minute's ${MAX_PEX_DIALS_PER_MIN} dials all went to exchanged addresses`)
  t.end()
})
