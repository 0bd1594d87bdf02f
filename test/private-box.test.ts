// The inside of a private message and its payload: encoding, every
// truncation, wrong lengths, and who can open a box. All errors are coded.
import test from 'tape'
import { generateKeyPair } from '../lib/protocol/crypto'
import { decodeAck, decodePrivate, encodeAck, encodePrivate, MAX_ACK_IDS } from '../lib/protocol/payloads'
import {
  boxPrivate, decodePrivateInner, encodePrivateInner, newPrivateId, openPrivate,
  MIN_PRIVATE_INNER_BYTES, PRIVATE_ID_BYTES, PRIVATE_NONCE_BYTES, type PrivateInner
} from '../lib/protocol/private-box'

const alice = generateKeyPair()
const bob = generateKeyPair()
const carol = generateKeyPair()
const inner = (text = 'hello ✓'): PrivateInner => ({ from: alice.publicKey, to: bob.publicKey, ts: 1_700_000_000_123, id: newPrivateId(), text })

function code (fn: () => unknown): string {
  try { fn(); return 'no error' } catch (err: any) { return err.code ?? `uncoded: ${err.message}` }
}

test('inner encoding round-trips and every truncation or extension is PRIVATE_INVALID', (t) => {
  const i = inner()
  const b = encodePrivateInner(i)
  t.deepEqual(decodePrivateInner(b), i, 'round trip')
  const least = encodePrivateInner({ ...i, ts: 0, text: '' })
  t.equal(least.byteLength, MIN_PRIVATE_INNER_BYTES, 'ts 0 and no text: the documented minimum')
  t.deepEqual(decodePrivateInner(least).text, '', 'which decodes')
  const bad: number[] = []
  for (let n = 0; n < b.byteLength; n++) if (code(() => decodePrivateInner(b.subarray(0, n))) !== 'PRIVATE_INVALID') bad.push(n)
  t.deepEqual(bad, [], `each of the ${b.byteLength} truncations is PRIVATE_INVALID`)
  t.equal(code(() => decodePrivateInner(Buffer.concat([b, Buffer.from([0])]))), 'PRIVATE_INVALID', 'a trailing byte')
  // A text length prefix pointing past the end.
  const long = Buffer.from(b); long[b.byteLength - Buffer.byteLength(i.text) - 1] = 0xfc
  t.equal(code(() => decodePrivateInner(long)), 'PRIVATE_INVALID', 'text length past the end')
  t.end()
})

test('encoding refuses wrong key and id lengths', (t) => {
  t.equal(code(() => encodePrivateInner({ ...inner(), from: Buffer.alloc(31) })), 'PRIVATE_INVALID', '31-byte sender')
  t.equal(code(() => encodePrivateInner({ ...inner(), to: Buffer.alloc(33) })), 'PRIVATE_INVALID', '33-byte recipient')
  t.equal(code(() => encodePrivateInner({ ...inner(), id: Buffer.alloc(PRIVATE_ID_BYTES - 1) })), 'PRIVATE_INVALID', 'short id')
  t.equal(code(() => encodePrivate({ to: bob.publicKey, nonce: Buffer.alloc(PRIVATE_NONCE_BYTES - 1), box: Buffer.alloc(40) })), 'PRIVATE_INVALID', 'short nonce')
  t.equal(code(() => boxPrivate(alice, { ...inner(), to: Buffer.alloc(32, 0xff) })), 'PRIVATE_INVALID', 'a recipient key that is no ed25519 point')
  t.end()
})

test('payload: round trip, every truncation, trailing bytes and a bad ack are PRIVATE_INVALID', (t) => {
  const { nonce, box } = boxPrivate(alice, inner())
  const p = encodePrivate({ to: bob.publicKey, nonce, box })
  t.deepEqual(decodePrivate(p), { to: bob.publicKey, nonce, box }, 'round trip')
  const bad: number[] = []
  for (let n = 0; n < p.byteLength; n++) if (code(() => decodePrivate(p.subarray(0, n))) !== 'PRIVATE_INVALID') bad.push(n)
  t.deepEqual(bad, [], 'each truncation is PRIVATE_INVALID')
  t.equal(code(() => decodePrivate(Buffer.concat([p, Buffer.alloc(1)]))), 'PRIVATE_INVALID', 'trailing byte')
  t.equal(code(() => decodePrivate(Buffer.concat([bob.publicKey, nonce, Buffer.from([0])]))), 'PRIVATE_INVALID', 'empty box')
  const ack = encodeAck({ to: alice.publicKey, of: [Buffer.alloc(32, 7)] })
  t.deepEqual(decodeAck(ack).of, [Buffer.alloc(32, 7)], 'ack round trip')
  t.equal(code(() => decodeAck(ack.subarray(0, 63))), 'PRIVATE_INVALID', 'short ack')
  const ids = Array.from({ length: MAX_ACK_IDS }, (_, i) => Buffer.alloc(32, i))
  const full = encodeAck({ to: alice.publicKey, of: ids })
  t.deepEqual(decodeAck(full), { to: alice.publicKey, of: ids }, `an ack of ${MAX_ACK_IDS} ids round trips`)
  t.equal(code(() => decodeAck(full.subarray(0, full.byteLength - 1))), 'PRIVATE_INVALID', 'a part of an id')
  t.equal(code(() => decodeAck(alice.publicKey)), 'PRIVATE_INVALID', 'no id')
  t.equal(code(() => decodeAck(Buffer.concat([full, Buffer.alloc(32)]))), 'PRIVATE_INVALID', `${MAX_ACK_IDS + 1} ids`)
  t.end()
})

test('a box opens only for its recipient and only under its real sender\'s key', (t) => {
  const i = inner('for bob')
  const { nonce, box } = boxPrivate(alice, i)
  t.deepEqual(openPrivate(bob, alice.publicKey, nonce, box), i, 'bob opens it as from alice')
  t.equal(code(() => openPrivate(bob, carol.publicKey, nonce, box)), 'PRIVATE_FORGED', 'claimed by carol: does not open')
  t.equal(code(() => openPrivate(carol, alice.publicKey, nonce, box)), 'PRIVATE_FORGED', 'carol cannot open it')
  const flipped = Buffer.from(box); flipped[flipped.byteLength - 1] ^= 1
  t.equal(code(() => openPrivate(bob, alice.publicKey, nonce, flipped)), 'PRIVATE_FORGED', 'one flipped bit')
  const other = Buffer.from(nonce); other[0] ^= 1
  t.equal(code(() => openPrivate(bob, alice.publicKey, other, box)), 'PRIVATE_FORGED', 'another nonce')
  t.equal(code(() => openPrivate(bob, alice.publicKey, nonce, box.subarray(0, 15))), 'PRIVATE_INVALID', 'shorter than the MAC')
  t.equal(code(() => openPrivate(bob, alice.publicKey, nonce.subarray(1), box)), 'PRIVATE_INVALID', 'short nonce')
  const a = boxPrivate(alice, i)
  t.notOk(a.nonce.equals(nonce) || a.box.equals(box), 'the same inner boxes differently each time (random nonce)')
  t.end()
})
