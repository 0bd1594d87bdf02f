// canonicalAddress: one spelling per dialable address; everything that is not
// a dialable unicast address (or is not an address at all) is null.
import test from 'tape'
import { canonicalAddress } from '../lib/protocol/address'
import { seeded } from './helpers/mesh'

test('IPv4 spellings of one address are one canonical address', (t) => {
  const spellings = ['127.0.0.1:80', '127.1:80', '0x7f000001:80', '2130706433:80', '127.000.000.001:80', '0177.0.0.1:80',
    '0x7f.0.0.1:80', '127.0.1:80', '127.0.0.1:080', '127.0.0.1:00080', '[::ffff:127.0.0.1]:80', '[::ffff:7f00:1]:80']
  for (const s of spellings) t.equal(canonicalAddress(s), '127.0.0.1:80', s)
  t.equal(canonicalAddress('192.168.1.5:8081'), '192.168.1.5:8081', 'plain address unchanged')
  t.end()
})

test('IPv6 is compressed and lower-cased, names lower-cased', (t) => {
  t.equal(canonicalAddress('[0:0:0:0:0:0:0:1]:9'), '[::1]:9')
  t.equal(canonicalAddress('[::1]:9'), '[::1]:9')
  t.equal(canonicalAddress('[FE80:0:0:0:0:0:0:1]:5'), '[fe80::1]:5')
  t.equal(canonicalAddress('[2001:db8:0:0:1:0:0:1]:5'), '[2001:db8::1:0:0:1]:5')
  t.equal(canonicalAddress('Anchor.LAN:8081'), 'anchor.lan:8081')
  t.equal(canonicalAddress('anchor.lan.:8081'), 'anchor.lan:8081', 'trailing dot dropped')
  t.equal(canonicalAddress('localhost:8081'), 'localhost:8081')
  t.end()
})

test('unspecified, multicast, broadcast, reserved and port 0 are refused', (t) => {
  for (const s of ['0.0.0.0:80', '0:80', '0x0:80', '0.1.2.3:80', '[::]:80', '[0:0:0:0:0:0:0:0]:80', '[::ffff:0.0.0.0]:80',
    '224.0.0.1:80', '239.255.255.250:1900', '[ff02::1]:80', '[FF05::2]:80',
    '255.255.255.255:80', '4294967295:80', '240.0.0.1:80', '127.0.0.1:0', '[::1]:0', 'example.org:0']) {
    t.equal(canonicalAddress(s), null, s)
  }
  t.end()
})

test('malformed addresses are refused', (t) => {
  for (const s of ['', ':80', '127.0.0.1', '127.0.0.1:', '127.0.0.1:x', '127.0.0.1:65536', '256.1.1.1:80', '1.2.3.4.5:80',
    '4294967296:80', 'foo..bar:80', '-foo:80', 'a b:80', 'a%41:80', '[fe80::1%eth0]:80', '::1:80', '[1::2::3]:80',
    'x'.repeat(300) + ':80', `${'a'.repeat(64)}.com:80`]) {
    t.equal(canonicalAddress(s), null, JSON.stringify(s.length > 40 ? s.slice(0, 20) + '...' : s))
  }
  t.end()
})

test('canonical form is a fixed point, and random input never throws', (t) => {
  const random = seeded(7)
  const alphabet = '0123456789abcdefxX.:[]-_%AZ '
  let valid = 0
  for (let i = 0; i < 5000; i++) {
    const len = 1 + Math.floor(random() * 24)
    let s = ''
    for (let j = 0; j < len; j++) s += alphabet[Math.floor(random() * alphabet.length)]
    const c = canonicalAddress(s)
    if (c === null) continue
    valid++
    if (canonicalAddress(c) !== c) { t.fail(`${s} -> ${c} -> ${canonicalAddress(c)}`); break }
  }
  t.ok(valid > 0, `${valid} random strings were addresses; each canonical form maps to itself`)
  t.end()
})
