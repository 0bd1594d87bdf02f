// The wire format is frozen: a fixed value of every frame type and payload
// encodes to bytes captured from the codecs before they were retyped, and
// those bytes decode back to the value. A codec change that moves one byte fails here.
import test from 'tape'
import {
  encodeHello, decodeHello, encodePex, decodePex, encodeRooms, decodeRooms, encodeSyncOffer, decodeSyncOffer,
  encodeSyncData, decodeSyncData, frameType, FrameType, PING_FRAME
} from '../lib/protocol/frames'
import { encodeFlood, decodeFlood, verifyFlood, withHops, MessageKind } from '../lib/protocol/envelope'
import { encodePresence, decodePresence, encodePrivate, decodePrivate, encodeAck, decodeAck } from '../lib/protocol/payloads'
import { encodePrivateInner, decodePrivateInner } from '../lib/protocol/private-box'
import { encodeGuestPayload, toChatMessage } from '../lib/core/chat-message'
import type { KeyPair } from '../lib/protocol/crypto'

const h = (hex: string): Buffer => Buffer.from(hex, 'hex')
/** A fixed ed25519 key pair: ed25519 signatures are deterministic, so the FLOOD bytes are too. */
const kp: KeyPair = {
  publicKey: h('5203eace4fab8eaae615411bcf8ce27e93eb60990f63b10543bbec68e1b79203'),
  secretKey: h('50e0daae324d8c5f43b43119db993a27f2ea2140d9e64d58ba42dcce4d62028e5203eace4fab8eaae615411bcf8ce27e93eb60990f63b10543bbec68e1b79203')
}
const key2 = Buffer.alloc(32, 0xab)

const hello = { version: 1, nick: 'alice', listen: '127.0.0.1:8081', rooms: ['lobby', 'rust'], flags: 3 }
/** Multi-byte varints (70000, 253) and a non-ASCII nick. */
const helloWide = { version: 70000, nick: 'zoë✓', listen: '[::1]:65535', rooms: [], flags: 253 }
const pex = [{ key: kp.publicKey, address: '127.0.0.1:1' }, { key: key2, address: '[::1]:2' }]
const offer = { room: 'lobby', reply: true, ids: [h('0102030405060708'), h('f1f2f3f4f5f6f7f8')] }
/** A 300-byte message takes the 3-byte length prefix. */
const syncData = { room: 'rust', frames: [h('02010203'), Buffer.alloc(300, 0x5a)] }
const envelope = { kind: MessageKind.CHAT, author: kp.publicKey, room: 'lobby', nick: 'alice', ts: 1_700_000_000_000, expires: 1_700_000_060_000, ttl: 8, payload: Buffer.from('hello, wörld ✓') }
const presence = { state: 1, listen: '127.0.0.1:8081' }
const priv = { to: key2, nonce: Buffer.alloc(24, 0x11), box: Buffer.alloc(40, 0x22) }
const ack = { to: key2, of: [Buffer.alloc(32, 0x33)] }
const inner = { from: kp.publicKey, to: key2, ts: 1_700_000_000_123, id: Buffer.alloc(16, 0x44), text: 'psst ✓' }

const PK = kp.publicKey.toString('hex')
const AB32 = 'ab'.repeat(32)
/** Bytes captured from the codecs before they were retyped (commit ae2f5b5). */
const GOLDEN: Record<string, string> = {
  hello: '010105616c6963650e3132372e302e302e313a3830383102056c6f626279047275737403',
  helloWide: '01fe70110100077a6fc3abe29c930b5b3a3a315d3a363535333500fdfd00',
  pex: '0302' + PK + '0b3132372e302e302e313a31' + AB32 + '075b3a3a315d3a32',
  pexEmpty: '0300',
  ping: '04',
  rooms: '0802056c6f62627905c3bc6ec3af',
  syncOffer: '05056c6f62627901020102030405060708f1f2f3f4f5f6f7f8',
  syncData: '070472757374020402010203fd2c01' + '5a'.repeat(300),
  flood: '020300' + PK + '056c6f62627905616c696365ff0068e5cf8b010000ff6052e6cf8b010000081168656c6c6f2c2077c3b6726c6420e29c93' +
    '8be944553701d7699ced0a512ceb0261e228bb6c2e6bcc18aa5c1cdf50b678cfca4c28cf7ab96a536a377df3bddf74bba3c12d3daf4be3ce1409433df461c30e',
  floodId: '66ef0b6f7e1c04b2f8b15ba45033054b4edf0a522bf7930dd42b38854f097f8c',
  floodRelayed: '020700' + PK + '056c6f62627905616c696365ff0068e5cf8b010000ff6052e6cf8b010000081168656c6c6f2c2077c3b6726c6420e29c93' +
    '8be944553701d7699ced0a512ceb0261e228bb6c2e6bcc18aa5c1cdf50b678cfca4c28cf7ab96a536a377df3bddf74bba3c12d3daf4be3ce1409433df461c30e',
  presence: '010e3132372e302e302e313a38303831',
  private: AB32 + '11'.repeat(24) + '28' + '22'.repeat(40),
  ack: AB32 + '33'.repeat(32),
  privateInner: PK + AB32 + 'ff7b68e5cf8b010000' + '44'.repeat(16) + '087073737420e29c93',
  guest: '02677768692066726f6d206e63'
}

function golden (t: test.Test, name: string, actual: Buffer): void {
  t.equal(actual.toString('hex'), GOLDEN[name], `${name}: ${actual.byteLength} bytes as captured`)
}

test('every frame type encodes to the captured bytes and decodes back', (t) => {
  golden(t, 'hello', encodeHello(hello))
  t.deepEqual(decodeHello(h(GOLDEN.hello)), hello, 'hello decodes')
  golden(t, 'helloWide', encodeHello(helloWide))
  t.deepEqual(decodeHello(h(GOLDEN.helloWide)), helloWide, 'wide hello decodes')
  golden(t, 'pex', encodePex(pex))
  t.deepEqual(decodePex(h(GOLDEN.pex)), pex, 'pex decodes')
  golden(t, 'pexEmpty', encodePex([]))
  t.deepEqual(decodePex(h(GOLDEN.pexEmpty)), [], 'empty pex decodes')
  golden(t, 'ping', PING_FRAME)
  t.equal(frameType(h(GOLDEN.ping)), FrameType.PING, 'ping is its type byte')
  golden(t, 'rooms', encodeRooms(['lobby', 'ünï']))
  t.deepEqual(decodeRooms(h(GOLDEN.rooms)), ['lobby', 'ünï'], 'rooms decodes')
  golden(t, 'syncOffer', encodeSyncOffer(offer))
  t.deepEqual(decodeSyncOffer(h(GOLDEN.syncOffer)), offer, 'sync offer decodes')
  golden(t, 'syncData', encodeSyncData(syncData))
  t.deepEqual(decodeSyncData(h(GOLDEN.syncData)), syncData, 'sync data decodes')
  t.end()
})

test('a FLOOD frame of a fixed key and envelope is byte-identical, and its id too', (t) => {
  const m = encodeFlood(envelope, kp, 3)
  golden(t, 'flood', m.frame)
  golden(t, 'floodId', m.id)
  golden(t, 'floodRelayed', withHops(m.frame, 7))
  const d = decodeFlood(h(GOLDEN.flood))
  const { id, hops, signature, frame, ...fields } = d
  t.deepEqual(fields, envelope, 'decodes to the envelope')
  t.equal(hops, 3, 'hop count')
  t.equal(id.toString('hex'), GOLDEN.floodId, 'id of the captured frame')
  t.ok(verifyFlood(d), 'captured signature verifies')
  t.end()
})

test('every payload encodes to the captured bytes and decodes back', (t) => {
  golden(t, 'presence', encodePresence(presence))
  t.deepEqual(decodePresence(h(GOLDEN.presence)), presence, 'presence decodes')
  golden(t, 'private', encodePrivate(priv))
  t.deepEqual(decodePrivate(h(GOLDEN.private)), priv, 'private decodes')
  golden(t, 'ack', encodeAck(ack))
  t.deepEqual(decodeAck(h(GOLDEN.ack)), ack, 'ack decodes')
  golden(t, 'privateInner', encodePrivateInner(inner))
  t.deepEqual(decodePrivateInner(h(GOLDEN.privateInner)), inner, 'private inner decodes')
  golden(t, 'guest', encodeGuestPayload('gw', Buffer.from('hi from nc')))
  const guest = encodeFlood({ ...envelope, kind: MessageKind.GUEST_CHAT, nick: 'guest-1', payload: h(GOLDEN.guest) }, kp, 0)
  const shown = toChatMessage(guest, false)
  t.deepEqual([shown.nick, shown.via, shown.text], ['guest-1', 'gw', 'hi from nc'], 'guest payload reads back')
  t.end()
})
