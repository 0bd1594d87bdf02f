// PeerTable on a fake clock: learning, canonical dedup, failure backoff,
// forgetting (whatever key is claimed), caps, and our own addresses.
import test from 'tape'
import { PeerTable } from '../lib/core/peer-table'
import {
  MAX_KNOWN_ADDRESSES, MAX_PEX_DIAL_FAILURES, MAX_SELF_ADDRESSES, MAX_BAD_ADDRESSES, BAD_ADDRESS_TTL_MS
} from '../lib/core/pex-limits'

const RETRY = 500
function clock () {
  const c = { t: 1_000_000, now: () => c.t }
  return c
}
const key = (n: number) => n.toString(16).padStart(64, '0')
/** The entry for a canonical address (through entries(), the table's oldest interface). */
const find = (table: PeerTable, a: string) => table.entries().find(e => e.address === a)
const addr = (n: number) => `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}:7000`

test('learn: new, then known; spellings of one address are one entry', (t) => {
  const table = new PeerTable(clock().now, RETRY)
  t.equal(table.learn('127.0.0.1:80', key(1)), 'new')
  for (const s of ['127.1:80', '0x7f000001:80', '2130706433:80', '127.000.000.001:080', '[::ffff:127.0.0.1]:80']) {
    t.equal(table.learn(s, key(2)), 'known', `${s} is the same address`)
  }
  t.equal(table.size, 1)
  t.equal(table.entries()[0].address, '127.0.0.1:80', 'kept in canonical form')
  t.end()
})

test('learn: undialable addresses are refused and counted', (t) => {
  const table = new PeerTable(clock().now, RETRY)
  for (const s of ['0.0.0.0:80', '[::]:80', '224.0.0.1:80', '255.255.255.255:80', '127.0.0.1:0', 'not an address']) {
    t.equal(table.learn(s, key(1)), 'invalid', s)
  }
  t.equal(table.size, 0)
  t.equal(table.stats.invalid, 6)
  t.end()
})

test('failure backoff: an address is not a candidate again until its backoff passed', (t) => {
  const c = clock()
  const table = new PeerTable(c.now, RETRY)
  table.learn('10.0.0.1:7000', key(1))
  table.failed('10.0.0.1:7000')
  t.equal(table.candidates(() => false).length, 0, 'not right after a failure')
  c.t += RETRY * 2 - 1
  t.equal(table.candidates(() => false).length, 0, 'not before retry * 2')
  c.t += 1
  t.equal(table.candidates(() => false).length, 1, 'again after retry * 2')
  table.succeeded('10.0.0.1:7000')
  t.equal(find(table, '10.0.0.1:7000')!.failures, 0, 'success resets failures')
  t.end()
})

test('an address that keeps failing is forgotten whatever key is claimed, and stays refused for a while', (t) => {
  const c = clock()
  const table = new PeerTable(c.now, RETRY)
  const spellings = ['127.0.0.1:9', '127.1:9', '0x7f000001:9', '2130706433:9', '127.0.0.01:9']
  for (let i = 0; i < MAX_PEX_DIAL_FAILURES; i++) {
    table.learn(spellings[i % spellings.length], key(100 + i)) // a new key with every failure
    table.failed(spellings[(i + 1) % spellings.length])
    c.t += 60_000
  }
  t.notOk(find(table, '127.0.0.1:9'), `forgotten after ${MAX_PEX_DIAL_FAILURES} failures despite key changes`)
  t.equal(table.stats.forgotten, 1)
  t.equal(table.learn('127.1:9', key(999)), 'bad', 'learning it again (another spelling, another key) is refused')
  t.equal(table.stats.badRefused, 1)
  c.t += BAD_ADDRESS_TTL_MS
  t.equal(table.learn('127.0.0.1:9', key(999)), 'new', 'learnable again once the bad-address memory expired')
  t.end()
})

test('a key claimed by a third party does not replace a verified one; a direct claim does', (t) => {
  const table = new PeerTable(clock().now, RETRY)
  table.learn('10.0.0.1:7000', key(1))
  table.succeeded('10.0.0.1:7000')
  table.learn('10.0.0.1:7000', key(2))
  t.equal(find(table, '10.0.0.1:7000')!.key, key(1), 'third-party claim ignored')
  table.learn('10.0.0.1:7000', key(3), true)
  t.equal(find(table, '10.0.0.1:7000')!.key, key(3), 'the peer itself (HELLO) wins')
  t.end()
})

test('caps: known addresses (verified ones kept), own addresses, bad addresses', (t) => {
  const c = clock()
  const table = new PeerTable(c.now, RETRY)
  table.learn(addr(0), key(0))
  table.succeeded(addr(0))
  for (let i = 1; i < MAX_KNOWN_ADDRESSES + 500; i++) table.learn(addr(i), key(i))
  t.equal(table.size, MAX_KNOWN_ADDRESSES, `known capped at ${MAX_KNOWN_ADDRESSES}`)
  t.ok(find(table, addr(0)), 'the verified (oldest) address survived eviction')
  t.notOk(find(table, addr(1)), 'the oldest unverified one went first')
  t.equal(table.stats.evicted, 500)

  for (let i = 0; i < 100; i++) table.markSelf(`127.0.0.${i + 1}:8081`)
  t.equal(table.selfCount, MAX_SELF_ADDRESSES, `own addresses capped at ${MAX_SELF_ADDRESSES}`)
  t.ok(table.isSelf('127.0.0.100:8081'), 'the newest is kept')

  for (let i = 0; i < MAX_BAD_ADDRESSES + 200; i++) {
    const a = addr(100_000 + i)
    table.learn(a, key(i))
    for (let f = 0; f < MAX_PEX_DIAL_FAILURES; f++) table.failed(a)
  }
  t.ok(table.badCount <= MAX_BAD_ADDRESSES, `bad memory ${table.badCount} <= ${MAX_BAD_ADDRESSES}`)
  t.equal(table.stats.forgotten, MAX_BAD_ADDRESSES + 200)
  t.end()
})

test('own addresses: learnt from our own dials only, in any spelling, never candidates', (t) => {
  const table = new PeerTable(clock().now, RETRY)
  table.learn('127.0.0.1:8081', key(1))
  table.markSelf('127.1:8081')
  t.ok(table.isSelf('0x7f000001:8081'), 'isSelf in another spelling')
  t.notOk(find(table, '127.0.0.1:8081'), 'dropped from the known addresses')
  t.equal(table.learn('127.0.0.1:8081', key(2)), 'self', 'and not learnt again')
  t.equal(table.candidates(() => false).length, 0)
  table.markSelf('0.0.0.0:8081')
  t.equal(table.selfCount, 1, 'an undialable address is not recorded')
  t.end()
})
