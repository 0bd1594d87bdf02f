// Wire format: exact round trips; truncated, oversized and random input
// rejected with coded errors, never anything else.
import test from 'tape'
import { encodeHello, decodeHello, encodePex, decodePex, frameType, decodeHelloVersion, FrameType } from '../lib/protocol/frames'
import { encodeFlood, decodeFlood, verifyFlood, floodId, withHops, MessageKind } from '../lib/protocol/envelope'
import { generateKeyPair } from '../lib/protocol/crypto'
import { MeshError, type ErrorCode } from '../lib/protocol/errors'
import { MAX_FRAME_BYTES, MAX_PEX_ENTRIES, MAX_HELLO_ROOMS, MAX_NICK_BYTES, MAX_PAYLOAD_BYTES } from '../lib/protocol/limits'
import { parseAddress } from '../lib/protocol/address'
import { Pipeline } from '../lib/core/pipeline'
import { SeenCache } from '../lib/core/seen-cache'
import { DeliveredLog } from '../lib/core/delivered-log'
import { History } from '../lib/core/history'
import { AuthorLimits } from '../lib/core/author-limits'
import { seeded } from './helpers/mesh'

const kp = generateKeyPair()
const hello = { version: 1, nick: 'alice', listen: '127.0.0.1:8081', rooms: ['lobby', 'rust'], flags: 3 }
const envelope = () => ({ kind: MessageKind.CHAT, author: kp.publicKey, room: 'lobby', nick: 'alice', ts: 1_700_000_000_000, expires: 1_700_000_060_000, ttl: 8, payload: Buffer.from('hello, wörld ✓') })

/** Asserts that fn throws a MeshError with exactly the code `code`. */
function isCoded (t: test.Test, code: ErrorCode, fn: () => unknown, msg: string): void {
  try {
    fn()
    t.fail(`${msg}: did not throw`)
  } catch (err) {
    t.ok(err instanceof MeshError, `${msg}: a MeshError`)
    t.equal((err as MeshError).code, code, `${msg}: ${code}`)
  }
}

test('hello and pex round trip exactly', (t) => {
  t.deepEqual(decodeHello(encodeHello(hello)), hello)
  t.equal(decodeHelloVersion(encodeHello({ ...hello, version: 77 })), 77, 'version readable alone')
  const entries = [{ key: kp.publicKey, address: '127.0.0.1:1' }, { key: Buffer.alloc(32, 7), address: '[::1]:2' }]
  t.deepEqual(decodePex(encodePex(entries)), entries)
  t.equal(decodePex(encodePex(Array.from({ length: 100 }, () => entries[0]))).length, MAX_PEX_ENTRIES, 'pex capped at MAX_PEX_ENTRIES when encoding')
  t.end()
})

test('flood frames round trip, verify, and survive a hop rewrite', (t) => {
  const m = encodeFlood(envelope(), kp, 1)
  const d = decodeFlood(m.frame)
  t.equal(d.payload.toString(), 'hello, wörld ✓')
  t.equal(d.room, 'lobby')
  t.equal(d.ts, 1_700_000_000_000)
  t.ok(d.id.equals(m.id), 'id matches')
  t.ok(verifyFlood(d), 'signature verifies')
  const relayed = decodeFlood(withHops(m.frame, 5))
  t.equal(relayed.hops, 5, 'hops rewritten')
  t.ok(relayed.id.equals(m.id), 'hop rewrite keeps the id')
  t.ok(verifyFlood(relayed), 'hop rewrite keeps the signature valid')
  // Lazy push keeps the copy a minute to answer GRAFTs: from Node's 8 KB pool it would keep a whole slab alive.
  t.equal(withHops(m.frame, 5).buffer.byteLength, m.frame.byteLength, 'the copy is in a buffer of its own size, not a pool slab')
  const tampered = Buffer.from(m.frame)
  tampered[tampered.length - 70] ^= 1
  t.notOk(floodId(tampered).equals(m.id), 'changing signed content changes the id')
  t.notOk(verifyFlood(decodeFlood(tampered)), 'and breaks the signature')
  t.end()
})

test('every truncation of a valid frame is rejected with FRAME_TRUNCATED', (t) => {
  const frames = { hello: encodeHello(hello), pex: encodePex([{ key: kp.publicKey, address: '127.0.0.1:9' }]), flood: encodeFlood(envelope(), kp, 1).frame }
  let checked = 0
  for (let cut = 1; cut < frames.hello.length; cut++) {
    try { decodeHello(frames.hello.subarray(0, cut)); t.fail(`hello cut at ${cut} accepted`) } catch (err) { if (!(err instanceof MeshError) || err.code !== 'FRAME_TRUNCATED') t.fail(`hello cut ${cut}: ${err}`); else checked++ }
  }
  for (let cut = 1; cut < frames.pex.length; cut++) {
    try { decodePex(frames.pex.subarray(0, cut)); t.fail(`pex cut at ${cut} accepted`) } catch (err) { if (!(err instanceof MeshError) || err.code !== 'FRAME_TRUNCATED') t.fail(`pex cut ${cut}: ${err}`); else checked++ }
  }
  for (let cut = 1; cut < frames.flood.length; cut++) {
    const part = frames.flood.subarray(0, cut)
    try {
      const m = decodeFlood(part)
      if (verifyFlood(m)) t.fail(`flood cut at ${cut} verified`); else checked++
    } catch (err) { if (!(err instanceof MeshError) || err.code !== 'FRAME_TRUNCATED') t.fail(`flood cut ${cut}: ${err}`); else checked++ }
  }
  t.equal(checked, frames.hello.length + frames.pex.length + frames.flood.length - 3, 'all cuts rejected')
  t.end()
})

test('limits: oversized frames, fields and lists are refused', (t) => {
  isCoded(t, 'FRAME_TOO_LARGE', () => frameType(Buffer.alloc(MAX_FRAME_BYTES + 1, FrameType.FLOOD)), 'frame over MAX_FRAME_BYTES')
  t.equal(frameType(Buffer.alloc(MAX_FRAME_BYTES, FrameType.PING)), FrameType.PING, 'a frame of exactly MAX_FRAME_BYTES is fine')
  isCoded(t, 'FRAME_INVALID', () => frameType(Buffer.alloc(0)), 'empty frame')
  isCoded(t, 'FRAME_INVALID', () => decodeHello(encodeHello({ ...hello, nick: 'x'.repeat(MAX_NICK_BYTES + 1) })), 'nick over MAX_NICK_BYTES')
  isCoded(t, 'FRAME_INVALID', () => decodeHello(encodeHello({ ...hello, rooms: Array.from({ length: MAX_HELLO_ROOMS + 1 }, (_, i) => `r${i}`) })), 'more than MAX_HELLO_ROOMS rooms')
  isCoded(t, 'TEXT_TOO_LONG', () => encodeFlood({ ...envelope(), payload: Buffer.alloc(MAX_PAYLOAD_BYTES + 1) }, kp, 1), 'payload over MAX_PAYLOAD_BYTES')
  isCoded(t, 'FRAME_INVALID', () => decodeFlood(encodeFlood({ ...envelope(), expires: envelope().ts + 24 * 3600_000 }, kp, 1).frame), 'expiry too far ahead')
  isCoded(t, 'FRAME_INVALID', () => decodePex(Buffer.concat([encodePex([{ key: kp.publicKey, address: '1.2.3.4:5' }]), Buffer.from([0])])), 'trailing bytes')
  t.end()
})

test('random input never throws uncoded and is never accepted by the accept pipeline', (t) => {
  const random = seeded(42)
  const now = () => 1_700_000_000_000
  let dispatched = 0
  const pipeline = new Pipeline({
    seen: new SeenCache({ maxSize: 1000, maxAgeMs: 60_000, now }), delivered: new DeliveredLog(), history: new History(),
    authors: new AuthorLimits({ rate: 10, burst: 10, newPerLinkPerMin: 10, now }), now, maxTtl: 8, historyWindowMs: 60_000,
    forward: () => {}, known: () => {}, lazyPush: true, dispatch: () => { dispatched++ }, keyHex: k => k.toString('hex')
  })
  let uncoded = 0
  let accepted = 0
  for (let i = 0; i < 2000; i++) {
    const len = 1 + Math.floor(random() * 300)
    const buf = Buffer.alloc(len)
    for (let j = 0; j < len; j++) buf[j] = Math.floor(random() * 256)
    buf[0] = 1 + (i % 4)
    for (const fn of [() => decodeHello(buf), () => decodePex(buf)]) {
      try { fn() } catch (err) { if (!(err instanceof MeshError)) uncoded++ }
    }
    buf[0] = FrameType.FLOOD
    for (const source of ['live', 'sync', 'store'] as const) {
      const v = pipeline.accept(buf, source, null, 'lobby')
      if (v.kind === 'accepted') accepted++
    }
  }
  t.equal(uncoded, 0, 'every failure is a MeshError')
  t.equal(accepted, 0, 'no random frame is accepted')
  t.equal(dispatched, 0, 'nothing random reaches a handler')
  t.end()
})

test('addresses: host:port parsing and its errors', (t) => {
  t.deepEqual(parseAddress('127.0.0.1:8081'), { host: '127.0.0.1', port: 8081 })
  t.deepEqual(parseAddress('[::1]:0'), { host: '::1', port: 0 })
  t.deepEqual(parseAddress('anchor.lan:65535'), { host: 'anchor.lan', port: 65535 })
  for (const bad of ['', '127.0.0.1', ':80', '1.2.3.4:65536', '1.2.3.4:-1', '1.2.3.4:http', 'a b:1', '::1:80']) {
    isCoded(t, 'BAD_ADDRESS', () => parseAddress(bad), `'${bad}'`)
  }
  t.end()
})
