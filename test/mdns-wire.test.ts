// The mDNS announcement format (lib/transport/mdns-wire.ts): a topic's name is
// never on the wire, and malformed or oversized records are refused with
// MDNS_INVALID.
import test from 'tape'
import { MAX_MDNS_TXT_BYTES, decodeAnnouncement, encodeAnnouncement, mdnsName } from '../lib/transport/mdns-wire'

const KEY = 'ab'.repeat(32)

test('an announcement carries a hash of the topic, the key and the address, never the topic name', (t) => {
  const name = mdnsName('secret-room')
  t.notOk(name.includes('secret'), `the name is a hash: ${name}`)
  t.notEqual(mdnsName('secret-room'), mdnsName('secret-room2'), 'topics differ, names differ')
  const txt = encodeAnnouncement(KEY, '10.0.0.5', 4242)
  t.notOk(txt.join(' ').includes('secret'), 'the record does not name the topic')
  t.deepEqual(decodeAnnouncement(txt.map(s => Buffer.from(s))), { key: KEY, host: '10.0.0.5', port: 4242 }, 'round trip')
  t.end()
})

test('malformed announcements are refused with MDNS_INVALID', (t) => {
  const bad: Array<[string, unknown]> = [
    ['no version', [`k=${KEY}`, 'a=10.0.0.5:1']],
    ['short key', ['v=1', 'k=abcd', 'a=10.0.0.5:1']],
    ['upper-case key', ['v=1', `k=${KEY.toUpperCase()}`, 'a=10.0.0.5:1']],
    ['port 0', ['v=1', `k=${KEY}`, 'a=10.0.0.5:0']],
    ['port too big', ['v=1', `k=${KEY}`, 'a=10.0.0.5:70000']],
    ['hostname', ['v=1', `k=${KEY}`, 'a=example.com:1']],
    ['oversized', ['v=1', `k=${KEY}`, 'a=10.0.0.5:1', 'x='.padEnd(MAX_MDNS_TXT_BYTES, 'x')]]
  ]
  for (const [what, data] of bad) {
    t.throws(() => decodeAnnouncement((data as string[]).map(s => Buffer.from(s))), (err: any) => err.code === 'MDNS_INVALID', what)
  }
  t.end()
})
