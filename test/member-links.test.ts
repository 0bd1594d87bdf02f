// Member linking at one node, driven by raw link ends: what ROOM_PEERS a node
// tells its neighbours, and what it does with the hints it is told.
import test from 'tape'
import { MeshNode } from '../lib/core/node'
import { chat, rawPeer, until } from './helpers/raw-peer'
import { generateKeyPair } from '../lib/protocol/crypto'
import { decodeRoomPeers, encodeRoomPeers, FrameType, type RoomPeerEntry } from '../lib/protocol/frames'
import { MEMBER_HINT_DELAY_MS } from '../lib/core/member-links'
import { MAX_PEX_NEW_PER_PEER_PER_MIN } from '../lib/core/pex-limits'
import { MeshError } from '../lib/protocol/errors'
import { MAX_ROOM_PEER_ENTRIES } from '../lib/protocol/limits'
import type { NodeOptions } from '../lib/core/options'

/** The nodes' tick: member dials happen on ticks. */
const TICK_MS = 20

function mkNode (t: test.Test, opts: Partial<NodeOptions> = {}): { node: MeshNode; dials: string[]; dialTimes: number[]; faults: string[] } {
  const node = new MeshNode({ keyPair: generateKeyPair(), nick: 'n', minLinks: 0, timing: { tickMs: TICK_MS }, ...opts })
  node.setListenAddress('127.0.0.1:1000')
  const dials: string[] = []
  const dialTimes: number[] = []
  const faults: string[] = []
  node.setDialer(async (a: string) => { dials.push(a); dialTimes.push(Date.now()); throw new MeshError('CONNECT_FAILED', 'test dialer refuses') })
  node.on('fault', (f: { code: string }) => faults.push(f.code))
  node.start()
  t.teardown(() => node.close())
  return { node, dials, dialTimes, faults }
}

const roomPeers = (frames: Buffer[]) => frames.filter(f => f[0] === FrameType.ROOM_PEERS).flatMap(f => decodeRoomPeers(f))

test('member links: a node tells each neighbour the other neighbours in its rooms, only for rooms it is not in', async (t) => {
  t.timeoutAfter(5000)
  const { node } = mkNode(t, { rooms: ['go'] })
  const p = rawPeer(node)
  const q = rawPeer(node)
  p.hello(undefined, ['go', 'x'])
  q.hello(undefined, ['go', 'x'])
  t.ok(await until(() => roomPeers(p.frames).length > 0 && roomPeers(q.frames).length > 0), 'both neighbours were told')
  const toP = roomPeers(p.frames)
  t.deepEqual(toP.map(e => [e.room, e.key.toString('hex'), e.address]), [['x', q.kp.publicKey.toString('hex'), q.address]], 'p hears of q in #x only: the node carries #go itself')
  t.deepEqual(roomPeers(q.frames).map(e => e.key.toString('hex')), [p.kp.publicKey.toString('hex')], 'and q of p')
})

test('member links: hints for our rooms are dialled after the delay, others ignored; a peer\'s budget holds; a malformed frame closes the link', async (t) => {
  t.timeoutAfter(15_000)
  const { node, dials, dialTimes, faults } = mkNode(t, { rooms: ['go'] })
  const p = rawPeer(node)
  p.hello(undefined, ['lobby'])
  t.ok(await until(() => node.peers().length === 1), 'linked')
  const entry = (room: string, i: number): RoomPeerEntry => ({ room, key: generateKeyPair().publicKey, address: `127.0.0.${i}:${4000 + i}` })
  const elsewhere = [entry('other', 200), entry('other', 201)]
  const go = Array.from({ length: MAX_PEX_NEW_PER_PEER_PER_MIN + 4 }, (_, i) => entry('go', i + 2))
  const sentAt = Date.now()
  p.link.send(encodeRoomPeers([...elsewhere, ...go]))
  t.ok(await until(() => faults.includes('PEX_LIMIT')), `entries past ${MAX_PEX_NEW_PER_PEER_PER_MIN} new ones a minute are refused (PEX_LIMIT)`)
  t.ok(await until(() => dials.length > 0, MEMBER_HINT_DELAY_MS + 3000), 'a hinted #go member is dialled')
  t.ok(Date.now() - sentAt >= MEMBER_HINT_DELAY_MS, `not before ${MEMBER_HINT_DELAY_MS} ms (presence may show it reachable first)`)
  const goAddresses = go.slice(0, MAX_PEX_NEW_PER_PEER_PER_MIN).map(e => e.address)
  t.ok(dials.every(a => goAddresses.includes(a)), 'only #go members within the budget are dialled, never another room\'s')
  t.ok(await until(() => dials.length > 1, MEMBER_HINT_DELAY_MS + 3000), 'the next member is dialled when the first did not link')
  // The node times its dials on its tick's clock reading; the dialer stamps them a little later, by up to a tick.
  t.ok(dialTimes[1] - dialTimes[0] >= MEMBER_HINT_DELAY_MS - TICK_MS, `one dial per room per ${MEMBER_HINT_DELAY_MS} ms (${dialTimes[1] - dialTimes[0]} ms apart)`)
  p.link.send(Buffer.from([FrameType.ROOM_PEERS, 5, 1, 2]))
  t.ok(await until(() => p.link.closed), 'a malformed ROOM_PEERS frame closes the link')
  t.ok(faults.some(c => c.startsWith('FRAME_')), `with a coded fault (${faults.join(',')})`)
})

test('member links: with peer exchange off a node neither tells nor dials', async (t) => {
  t.timeoutAfter(10_000)
  // The same scenario on a node with peer exchange on is the control: once it has dialled, the other would have too.
  const off = mkNode(t, { rooms: ['lobby'], pex: false })
  const on = mkNode(t, { rooms: ['lobby'] })
  const peers = [off, on].map(({ node }) => {
    const p = rawPeer(node)
    const q = rawPeer(node)
    p.hello(undefined, ['go', 'lobby'])
    q.hello(undefined, ['go', 'lobby'])
    return [p, q]
  })
  t.ok(await until(() => off.node.peers().length === 2 && on.node.peers().length === 2), 'linked')
  for (const [p] of peers) {
    p.link.send(encodeRoomPeers([{ room: 'lobby', key: generateKeyPair().publicKey, address: '127.0.0.9:4009' }]))
    // A chat message after the hint: its arrival at the other raw end proves the node handled the hint.
    p.link.send(chat(p.kp, 'marker').frame)
  }
  t.ok(await until(() => peers.every(([, q]) => q.frames.some(f => f.includes(Buffer.from('marker'))))), 'markers relayed')
  t.equal(roomPeers(peers[0][0].frames).length + roomPeers(peers[0][1].frames).length, 0, 'no ROOM_PEERS sent with peer exchange off')
  t.ok(roomPeers(peers[1][0].frames).length > 0, 'while the control told its neighbours of each other in #go')
  t.ok(await until(() => on.dials.length > 0, MEMBER_HINT_DELAY_MS + 3000), 'the control dialled the hinted member')
  t.equal(off.dials.length, 0, 'the node with peer exchange off did not')
})

test('ROOM_PEERS codec: round trip, at most MAX_ROOM_PEER_ENTRIES, longer lists refused', (t) => {
  const entries: RoomPeerEntry[] = Array.from({ length: MAX_ROOM_PEER_ENTRIES + 5 }, (_, i) => ({ room: `r${i}`, key: generateKeyPair().publicKey, address: `127.0.0.1:${5000 + i}` }))
  const frame = encodeRoomPeers(entries)
  const back = decodeRoomPeers(frame)
  t.equal(back.length, MAX_ROOM_PEER_ENTRIES, 'the encoder keeps the first MAX_ROOM_PEER_ENTRIES')
  t.deepEqual(back.map(e => [e.room, e.key.toString('hex'), e.address]), entries.slice(0, MAX_ROOM_PEER_ENTRIES).map(e => [e.room, e.key.toString('hex'), e.address]), 'entries survive the round trip')
  // The same frame claiming one entry more, with that entry appended.
  const one = encodeRoomPeers(entries.slice(0, 1))
  const over = Buffer.concat([frame.subarray(0, 1), Buffer.from([MAX_ROOM_PEER_ENTRIES + 1]), frame.subarray(2), one.subarray(2)])
  t.throws(() => decodeRoomPeers(over), (err: unknown) => err instanceof MeshError && err.code === 'FRAME_INVALID', 'a frame listing more is refused (FRAME_INVALID)')
  t.end()
})
