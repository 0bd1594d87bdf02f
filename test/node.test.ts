// MeshNode behaviour on memory links: handshake, tie-break, limits, liveness.
// The far end is either another node or a test-driven link end.
import test from 'tape'
import { MeshNode } from '../lib/core/node'
import { memoryLinkPair } from '../lib/transport/memory'
import { ManualClock } from '../lib/core/clock'
import { rawPeer, until, wait } from './helpers/raw-peer'
import { generateKeyPair } from '../lib/protocol/crypto'
import { encodePex, FrameType } from '../lib/protocol/frames'
import { encodeFlood, MessageKind } from '../lib/protocol/envelope'
import { MAX_TEXT_BYTES, PROTOCOL_VERSION } from '../lib/protocol/limits'
import { PEER_SCORE_CLOSE } from '../lib/core/link-session'
import { DEFAULT_PENALTY } from '../lib/core/link-table'

/** Bad signatures that take a fresh link's score to the closing threshold. */
const MAX_LINK_PENALTIES = -PEER_SCORE_CLOSE / DEFAULT_PENALTY
import type { NodeOptions } from '../lib/core/options'

function mkNode (t: test.Test, opts: Partial<NodeOptions> = {}): MeshNode {
  const node = new MeshNode({ keyPair: generateKeyPair(), nick: 'n', timing: { tickMs: 20 }, ...opts })
  node.setListenAddress('127.0.0.1:1000')
  node.start()
  t.teardown(() => node.close())
  return node
}


test('handshake: HELLO first, peer-up once, peer-down when the link closes', async (t) => {
  t.timeoutAfter(5000)
  const node = mkNode(t)
  const events: string[] = []
  node.on('peer-up', p => events.push(`up:${p.nick}:${p.address}`))
  node.on('peer-down', () => events.push('down'))
  const raw = rawPeer(node)
  t.ok(await until(() => raw.frames.length > 0), 'node sends its HELLO at once')
  t.equal(raw.frames[0][0], FrameType.HELLO, 'first frame is HELLO')
  raw.hello()
  t.ok(await until(() => events.length === 1), 'peer-up after the peer HELLO')
  t.deepEqual(events, [`up:raw:${raw.address}`])
  raw.link.destroy()
  t.ok(await until(() => events.length === 2), 'peer-down after close')
})

test('version mismatch closes the link with VERSION_MISMATCH', async (t) => {
  t.timeoutAfter(5000)
  const node = mkNode(t)
  const faults: string[] = []
  node.on('fault', f => faults.push(f.code))
  const raw = rawPeer(node)
  raw.hello(PROTOCOL_VERSION + 1)
  t.ok(await until(() => raw.link.closed), 'link closed')
  t.deepEqual(faults, ['VERSION_MISMATCH'])
  t.equal(node.peers().length, 0)
})

test('frames before HELLO, garbage and oversized frames close only that link', async (t) => {
  t.timeoutAfter(5000)
  const node = mkNode(t)
  const faults: string[] = []
  node.on('fault', f => faults.push(f.code))
  const good = rawPeer(node)
  good.hello()
  const early = rawPeer(node)
  early.link.send(encodePex([]))
  const garbage = rawPeer(node)
  garbage.hello()
  const big = rawPeer(node)
  big.hello()
  t.ok(await until(() => node.peers().length === 3 && early.link.closed))
  garbage.link.send(Buffer.from([FrameType.FLOOD, 1, 2, 3]))
  big.link.send(Buffer.alloc(70 * 1024, FrameType.PING))
  t.ok(await until(() => garbage.link.closed && big.link.closed), 'garbage and oversized links closed')
  t.notOk(good.link.closed, 'the good link stays')
  t.deepEqual(node.peers().map(p => p.nick), ['raw'], 'one peer left')
  t.ok(faults.includes('FRAME_INVALID') && faults.includes('FRAME_TOO_LARGE') && faults.includes('FRAME_TRUNCATED'), `coded faults: ${faults.join(',')}`)
})

test('bad signatures are penalised; MAX_LINK_PENALTIES closes the link', async (t) => {
  t.timeoutAfter(5000)
  const node = mkNode(t)
  const msgs: string[] = []
  const faults: string[] = []
  node.on('message', m => msgs.push(m.text))
  node.on('fault', f => faults.push(f.code))
  const raw = rawPeer(node)
  raw.hello()
  await until(() => node.peers().length === 1)
  const now = Date.now()
  for (let i = 0; i < MAX_LINK_PENALTIES; i++) {
    const m = encodeFlood({ kind: MessageKind.CHAT, author: raw.kp.publicKey, room: 'lobby', nick: 'raw', ts: now, expires: now + 60_000, ttl: 8, payload: Buffer.from(`forged ${i}`) }, generateKeyPair(), 1)
    raw.link.send(m.frame)
    if (i === 0) {
      await until(() => faults.length === 1)
      t.notOk(raw.link.closed, 'one bad signature does not close the link')
    }
  }
  t.ok(await until(() => raw.link.closed), 'closed after the penalty limit')
  t.equal(msgs.length, 0, 'nothing forged was delivered')
  t.equal(faults.filter(c => c === 'BAD_SIGNATURE').length, 1, 'reported once: the rest are counted into the score, not printed one line each')
  t.ok(faults.includes('PENALTY_LIMIT'))
})

test('rate limit: excess frames dropped and counted, a link that stays over is closed', async (t) => {
  t.timeoutAfter(10_000)
  const node = mkNode(t, { ratePerSecond: 50, rateBurst: 20 })
  const faults: string[] = []
  node.on('fault', f => faults.push(f.code))
  const raw = rawPeer(node)
  raw.hello()
  await until(() => node.peers().length === 1)
  for (let i = 0; i < 100; i++) raw.link.send(Buffer.from([FrameType.PING]))
  await until(() => faults.includes('RATE_LIMITED'))
  t.notOk(raw.link.closed, 'a burst alone does not close the link')
  const dropped = node.peers()[0].dropped
  t.ok(dropped >= 70, `excess frames dropped and counted (${dropped})`)
  // Keep it over the limit for longer than the grace period (bounded: at most 400 rounds).
  for (let round = 0; round < 400 && !raw.link.closed; round++) {
    for (let i = 0; i < 20; i++) raw.link.send(Buffer.from([FrameType.PING]))
    await wait(10)
  }
  t.ok(raw.link.closed, 'closed after staying over the limit')
})

test('max-links refuses extra links with TOO_MANY_LINKS', async (t) => {
  t.timeoutAfter(5000)
  const node = mkNode(t, { maxLinks: 2 })
  const faults: string[] = []
  node.on('fault', f => faults.push(f.code))
  const a = rawPeer(node); a.hello()
  const b = rawPeer(node); b.hello()
  const c = rawPeer(node)
  t.ok(await until(() => c.link.closed), 'third link refused')
  t.deepEqual(faults, ['TOO_MANY_LINKS'])
  t.ok(await until(() => node.peers().length === 2), 'first two kept')
})

test('a silent link is closed by the keep-alive timeout; keep-alives are sent', async (t) => {
  t.timeoutAfter(5000)
  const node = mkNode(t, { timing: { tickMs: 20, keepAliveMs: 50, idleTimeoutMs: 300 } })
  const raw = rawPeer(node)
  raw.hello()
  t.ok(await until(() => raw.frames.some(f => f[0] === FrameType.PING)), 'node pings an idle link')
  t.ok(await until(() => raw.link.closed, 2000), 'link closed after idleTimeoutMs of silence')
})

test('two nodes dialling each other keep exactly one link; self links refused', async (t) => {
  t.timeoutAfter(5000)
  const a = mkNode(t)
  const b = mkNode(t)
  const ups: string[] = []
  const downs: string[] = []
  for (const n of [a, b]) { n.on('peer-up', p => ups.push(p.peer)); n.on('peer-down', p => downs.push(p.peer)) }
  const [ab1, ba1] = memoryLinkPair(a.keyPair.publicKey, 'a', b.keyPair.publicKey, 'b')
  const [ba2, ab2] = memoryLinkPair(b.keyPair.publicKey, 'b', a.keyPair.publicKey, 'a')
  a.addLink(ab1); b.addLink(ba2); b.addLink(ba1); a.addLink(ab2)
  t.ok(await until(() => a.peers().length === 1 && b.peers().length === 1 && a.linkCount === 1 && b.linkCount === 1))
  const kept = [ab1, ba1].every(l => !l.closed) ? 1 : [ab2, ba2].every(l => !l.closed) ? 2 : 0
  t.ok(kept > 0, `both ends kept the same link (${kept})`)
  t.equal(ups.length, 2, 'one peer-up on each side')
  const heard: string[] = []
  b.on('message', m => heard.push(m.text))
  a.send('after the duplicate closed')
  t.ok(await until(() => heard.length === 1), 'a message over the kept link arrives')
  t.equal(downs.length, 0, 'closing the duplicate said nothing')
  const [s1, s2] = memoryLinkPair(a.keyPair.publicKey, 'a', a.keyPair.publicKey, 'a')
  t.equal(a.addLink(s1), false, 'link to self refused')
  void s2
})

test('text over MAX_TEXT_BYTES is refused locally and nothing is sent', async (t) => {
  t.timeoutAfter(5000)
  const node = mkNode(t)
  const raw = rawPeer(node)
  raw.hello()
  await until(() => node.peers().length === 1)
  const before = raw.frames.length
  t.throws(() => node.send('x'.repeat(MAX_TEXT_BYTES + 1)), /TEXT_TOO_LONG|over the 4096 byte limit/)
  node.send('y'.repeat(MAX_TEXT_BYTES))
  t.ok(await until(() => raw.frames.slice(before).some(f => f[0] === FrameType.FLOOD)), 'the message within the limit went out')
  const floods = raw.frames.slice(before).filter(f => f[0] === FrameType.FLOOD)
  t.equal(floods.length, 1, 'only the message within the limit went out')
})

test('a copy that comes a shorter way is forwarded again (the first ran out of hops), but delivered once', async (t) => {
  t.timeoutAfter(5000)
  const node = mkNode(t, { ttl: 3 })
  const delivered: string[] = []
  node.on('message', m => delivered.push(m.text))
  const from = rawPeer(node)
  const next = rawPeer(node)
  from.hello(); next.hello()
  await until(() => node.peers().length === 2)
  const author = generateKeyPair()
  const now = Date.now()
  const m = encodeFlood({ kind: MessageKind.CHAT, author: author.publicKey, room: 'lobby', nick: 'far', ts: now, expires: now + 60_000, ttl: 3, payload: Buffer.from('long way round') }, author, 3)
  const floods = () => next.frames.filter(f => f[0] === FrameType.FLOOD && f.subarray(2).equals(m.frame.subarray(2)))
  // A fresh message sent after a copy takes the same path (from, node, next):
  // once it is at next, a forward of the copy would have come before it.
  const marker = async (text: string) => {
    const mk = encodeFlood({ kind: MessageKind.CHAT, author: author.publicKey, room: 'lobby', nick: 'far', ts: now, expires: now + 60_000, ttl: 3, payload: Buffer.from(text) }, author, 1)
    from.link.send(mk.frame)
    return until(() => next.frames.some(f => f[0] === FrameType.FLOOD && f.subarray(2).equals(mk.frame.subarray(2))))
  }
  from.link.send(m.frame)
  t.ok(await marker('marker 1'), 'a later message reached the next link')
  t.equal(floods().length, 0, 'the copy at the hop limit is not forwarded')
  const short = Buffer.from(m.frame); short[1] = 1
  from.link.send(short)
  t.ok(await until(() => floods().length === 1), 'the shorter copy is forwarded')
  t.equal(floods()[0][1], 2, 'with its own hop count + 1')
  from.link.send(short)
  t.ok(await marker('marker 2'), 'a later message reached the next link again')
  t.equal(floods().length, 1, 'the same hop count again is a plain duplicate')
  t.deepEqual(delivered, ['long way round', 'marker 1', 'marker 2'], 'delivered once, in order')
})

test('the same line sent twice within one millisecond arrives twice; different lines keep the clock\'s time', async (t) => {
  t.timeoutAfter(5000)
  // A clock that does not move: every send falls in the same millisecond. Identical envelopes
  // (author, room, nick, time, text) had one id, so the second copy was taken for the first
  // and dropped everywhere (a guest's long line of one repeated character split into two equal
  // halves lost the second under load, 2026-11-29).
  const clock = new ManualClock(1_700_000_000_000)
  const opts = { clock, timing: { tickMs: 1000, youngAuthorMs: 0 } }
  const a = new MeshNode({ keyPair: generateKeyPair(), nick: 'a', ...opts })
  const b = new MeshNode({ keyPair: generateKeyPair(), nick: 'b', ...opts })
  for (const n of [a, b]) { n.start(); t.teardown(() => n.close()) }
  const [la, lb] = memoryLinkPair(a.keyPair.publicKey, 'a', b.keyPair.publicKey, 'b')
  a.addLink(la)
  b.addLink(lb)
  await until(() => a.peers().length === 1 && b.peers().length === 1)
  const got: string[] = []
  b.on('message', m => { if (m.text === 'same line') got.push(m.id) })
  const sent = [a.send('same line'), a.send('same line'), a.send('same line')]
  t.equal(new Set(sent.map(m => m.id)).size, 3, 'three ids')
  t.ok(sent[1].ts > sent[0].ts && sent[2].ts > sent[1].ts, 'dated one after another')
  t.ok(await until(() => got.length === 3), `all three arrived (${got.length})`)
  t.equal(new Set(got).size, 3, 'each once')
  // Only a repeat moves: a node signing many different lines a millisecond stays on its clock (a soak signs thousands a second).
  const many = Array.from({ length: 50 }, (_, i) => a.send(`line ${i}`))
  t.deepEqual([...new Set(many.map(m => m.ts))], [clock.now()], 'fifty different lines in one millisecond are all dated now')
})

test('message times: a repeat moves 1 ms on past every copy of it, others keep the clock', (t) => {
  const clock = new ManualClock(100)
  const node = new MeshNode({ keyPair: generateKeyPair(), nick: 'n', clock, timing: { tickMs: 1000 } })
  node.start()
  t.teardown(() => node.close())
  const at = (ms: number, text: string) => { clock.advance(ms - clock.now()); return node.send(text).ts }
  t.deepEqual([at(100, 'a'), at(100, 'a'), at(100, 'b'), at(101, 'a'), at(105, 'a')], [100, 101, 100, 102, 105], 'repeats move on, the rest keep the clock')
  t.end()
})
