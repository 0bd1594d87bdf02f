// Leaves with parting words, quits, renames and gateway guests on memory
// links and a manual clock: what the process tests cannot reach (messages
// through the API, the cut of a long message, the guest cap, an old message
// that must not undo a rename).
import test from 'tape'
import c from 'compact-encoding'
import { MemMesh } from './helpers/mesh'
import type { NodeOptions } from '../lib/core/options'
import { MeshNode } from '../lib/core/node'
import { ManualClock } from '../lib/core/clock'
import { Directory } from '../lib/core/directory'
import { MAX_GUESTS_PER_GATEWAY, type PresenceChange } from '../lib/core/presence'
import type { NickChange } from '../lib/core/types'
import { MessageKind } from '../lib/protocol/envelope'
import { PresenceState, LeaveReason, encodePresence, decodePresence } from '../lib/protocol/payloads'
import { MAX_LEAVE_MESSAGE_BYTES } from '../lib/protocol/limits'
import { generateKeyPair } from '../lib/protocol/crypto'
import { MeshError } from '../lib/protocol/errors'

/** Presence fast enough to meet, slow enough that no timeout or periodic announcement interferes. */
const TIMING = { tickMs: 50, presenceIntervalMs: 30_000, presenceTimeoutMs: 75_000 }

function chain (n: number, rooms = ['lobby'], opts: Partial<NodeOptions> = {}): MemMesh {
  const m = new MemMesh(n, { timing: TIMING, rooms, ...opts })
  for (let i = 1; i < n; i++) m.connect(i - 1, i)
  return m
}

function record<T> (node: MeshNode, event: 'presence' | 'peer-nick'): T[] {
  const out: T[] = []
  node.on(event, (e: T) => out.push(e))
  return out
}

test('leave and quit carry their reason and message two hops away; a long message is cut at a character boundary', async (t) => {
  const m = chain(3, ['lobby', 'team'])
  t.teardown(() => m.close())
  const [a, , far] = m.nodes
  const seen = record<PresenceChange>(far, 'presence')
  t.ok(await m.until(() => far.who('team').some(x => x.peer === a.id)), 'far sees a in #team')
  a.leave('team', '  off to lunch ')
  t.ok(await m.until(() => seen.some(e => e.state === 'leave' && e.peer === a.id)), 'the part arrives')
  t.deepEqual(seen.find(e => e.state === 'leave'), { room: 'team', peer: a.id, nick: 'n0', state: 'leave', reason: 'part', message: 'off to lunch' }, 'room, reason part, trimmed message')
  t.notOk(far.who('team').some(x => x.peer === a.id), '/who drops the member at once')
  const long = 'é'.repeat(MAX_LEAVE_MESSAGE_BYTES)
  a.quit(long)
  t.ok(await m.until(() => seen.some(e => e.state === 'leave' && e.room === 'lobby')), 'the quit arrives')
  const quit = seen.find(e => e.state === 'leave' && e.room === 'lobby')!
  t.equal(quit.reason, 'quit', 'reason quit')
  t.equal(quit.message, 'é'.repeat(MAX_LEAVE_MESSAGE_BYTES / 2), `cut to ${MAX_LEAVE_MESSAGE_BYTES} bytes, whole characters only`)
})

test('after quit a node announces nothing more, even when its interval passes', async (t) => {
  const clock = new ManualClock()
  const node = new MeshNode({ keyPair: generateKeyPair(), nick: 'q', clock, timing: { tickMs: 100, presenceIntervalMs: 1000 } })
  node.start()
  t.teardown(() => node.close())
  clock.advance(2500)
  const before = node.stats().originated
  t.ok(before >= 2, 'announcements go out while running')
  node.quit('bye')
  t.equal(node.stats().originated, before + 1, 'quit signs one goodbye for the one room')
  clock.advance(5000)
  node.setNick('renamed')
  t.equal(node.stats().originated, before + 1, 'no announcement after quit, not even for a rename')
})

test('a rename is one peer-nick event everywhere; /msg and /whois still find the old nick', async (t) => {
  const m = chain(3, ['lobby', 'team'])
  t.teardown(() => m.close())
  const [a, mid, far] = m.nodes
  const nicks = record<NickChange>(far, 'peer-nick')
  const own = record<NickChange>(a, 'peer-nick')
  t.ok(await m.until(() => far.who('lobby').some(x => x.peer === a.id)), 'far knows a')
  a.setNick('alfred')
  t.deepEqual(own, [{ peer: a.id, old: 'n0', nick: 'alfred', self: true }], 'own rename: self event')
  t.ok(await m.until(() => nicks.length > 0), 'far hears of it')
  await m.drain()
  t.deepEqual(nicks, [{ peer: a.id, old: 'n0', nick: 'alfred', self: false }], 'one event, though it was announced to two rooms')
  t.equal(far.who('team').find(x => x.peer === a.id)?.nick, 'alfred', '/who in every room')
  t.equal(mid.peers().find(p => p.peer === a.id)?.nick, 'alfred', '/peers of a neighbour')
  t.equal(far.whois('n0').peer, a.id, '/whois by the old nick')
  t.equal(far.sendPrivate('n0', 'hi').private, true, '/msg by the old nick')
})

test('directory: an older message never turns a rename back; the current holder of a nick wins over a former one', (t) => {
  const d = new Directory('f'.repeat(64), () => 1000, null, () => {})
  const bob = 'b'.repeat(64)
  const other = 'c'.repeat(64)
  t.equal(d.see(bob, 'bob', { ts: 100 }), null, 'first sighting is no rename')
  t.equal(d.see(bob, 'bobby', { ts: 200 }), 'bob', 'a newer message renames')
  t.equal(d.see(bob, 'bob', { ts: 150 }), null, 'an older message does not rename back')
  t.equal(d.get(bob)!.nick, 'bobby', 'current nick kept')
  t.equal(d.resolve('bob'), bob, 'the old nick resolves')
  d.see(other, 'bob', { ts: 300 })
  t.equal(d.resolve('bob'), other, 'someone now called bob wins')
  t.equal(d.see(bob, 'robert'), 'bobby', 'a HELLO (no timestamp) renames too')
  t.end()
})

test('gateway guests: capped per gateway on every node; a gateway that quits takes its guests along', async (t) => {
  // The author rate lifted: this is about the cap, and 276 announcements at once are over the default burst.
  const m = chain(2, ['lobby'], { authorRate: 100_000, authorBurst: 100_000 })
  t.teardown(() => m.close())
  const [gw, peer] = m.nodes
  const seen = record<PresenceChange>(peer, 'presence')
  const guestJoins = () => seen.filter(e => e.state === 'join' && e.via !== undefined)
  t.ok(await m.until(() => peer.who().some(x => x.peer === gw.id)), 'the gateway is known')
  // A hostile gateway signs more guests than the cap, bypassing its own check.
  for (let i = 0; i < MAX_GUESTS_PER_GATEWAY + 20; i++) {
    gw.originate(MessageKind.PRESENCE, 'lobby', encodePresence({ state: PresenceState.GUEST_HERE, listen: '', guest: `g${i}` }))
  }
  await m.drain()
  t.equal(guestJoins().length, MAX_GUESTS_PER_GATEWAY, 'guests past the cap are not admitted')
  t.equal(peer.who().filter(x => x.via !== undefined).length, MAX_GUESTS_PER_GATEWAY, '/who holds the cap')
  gw.originate(MessageKind.PRESENCE, 'lobby', encodePresence({ state: PresenceState.GUEST_LEAVING, listen: '', guest: 'g0', reason: LeaveReason.QUIT }))
  gw.originate(MessageKind.PRESENCE, 'lobby', encodePresence({ state: PresenceState.GUEST_HERE, listen: '', guest: 'late' }))
  await m.drain()
  t.ok(guestJoins().some(e => e.nick === 'late'), 'a place freed by a leave is taken')
  const err = (() => { try { for (let i = 0; i <= MAX_GUESTS_PER_GATEWAY; i++) gw.guestPresence(`own${i}`, 'join') } catch (e) { return e } })()
  t.ok(err instanceof MeshError && err.code === 'GUEST_LIMIT', 'a gateway refuses to announce past the cap: GUEST_LIMIT')
  const before = seen.length
  gw.quit()
  t.ok(await m.until(() => seen.slice(before).some(e => e.state === 'leave' && e.via === undefined && e.peer === gw.id)), 'the gateway quits')
  const gone = seen.slice(before).filter(e => e.state === 'leave' && e.via !== undefined)
  t.ok(gone.length >= MAX_GUESTS_PER_GATEWAY && gone.every(e => e.reason === 'quit'), 'every guest leaves with it, reason quit')
  t.equal(peer.who().length, 1, '/who is left with this node alone')
})

test('presence payload: the extension round-trips, later bytes are ignored, an over-long message is FRAME_INVALID', (t) => {
  const p = { state: PresenceState.GUEST_HERE, listen: '127.0.0.1:1', reason: LeaveReason.QUIT, message: 'bye', guest: 'carol', old: 'guest-1', interval: 30_000 }
  t.deepEqual(decodePresence(encodePresence(p)), p, 'round trip')
  t.deepEqual(decodePresence(Buffer.concat([encodePresence(p), Buffer.from([1, 2, 3])])), p, 'bytes a later version adds are ignored')
  const plain = encodePresence({ state: PresenceState.HERE, listen: 'x:1' })
  t.deepEqual(decodePresence(plain), { state: PresenceState.HERE, listen: 'x:1' }, 'no extension, no extra fields')
  // Encoded field by field, as a hostile node would, past the limit the encoder keeps.
  const long = Buffer.concat([c.encode(c.uint, PresenceState.LEAVING), c.encode(c.string, 'x:1'), c.encode(c.uint, LeaveReason.QUIT),
    c.encode(c.string, 'a'.repeat(MAX_LEAVE_MESSAGE_BYTES + 1)), c.encode(c.string, ''), c.encode(c.string, '')])
  try { decodePresence(long); t.fail('decoded') } catch (e) { t.ok(e instanceof MeshError && e.code === 'FRAME_INVALID', 'over-long message: FRAME_INVALID') }
  t.end()
})
