// A newcomer's roster past one link's budget of new members
// (core/roster-vouches.ts): what two neighbours on different hosts both send
// is listed at once; one neighbour, or several on one host, still add at most
// ROSTER_NEW_MEMBERS_BURST each.
import test from 'tape'
import { RosterVouches } from '../lib/core/roster-vouches'
import { ROSTER_NEW_MEMBERS_BURST } from '../lib/core/roster-sync'
import { FrameType, HelloFlag } from '../lib/protocol/frames'
import { encodeRosterData, encodeRosterOffer } from '../lib/protocol/roster-frames'
import { generateKeyPair } from '../lib/protocol/crypto'
import { here, rawPeer, until, victimNode, type RawPeer } from './helpers/raw-peer'
import type { MeshNode } from '../lib/core/node'

const PRESENCE_ON = { timing: { tickMs: 20, presenceIntervalMs: 30_000 }, maxLinks: 64 }
const ROSTER = HelloFlag.SHAREABLE | HelloFlag.ROSTER_SYNC
/** Members of the room: three links' budgets' worth. */
const ROOM = 3 * ROSTER_NEW_MEMBERS_BURST
/** A budget refills ROSTER_NEW_MEMBERS_PER_MIN (200) a minute: a slow machine lists a few more than the burst while the answers are read. */
const REFILL = 20
const about = (n: number, want: number) => n >= want && n <= want + REFILL

test('roster vouches: a second host vouches, the same host does not; bounded, oldest first', (t) => {
  const v = new RosterVouches(3)
  t.notOk(v.vouched('lobby', 'a', '10.0.0.1'), 'first brought: remembered, not listed')
  t.notOk(v.vouched('lobby', 'a', '10.0.0.1'), 'the same host again: not listed')
  t.ok(v.vouched('lobby', 'a', '10.0.0.2'), 'another host: listed')
  t.notOk(v.vouched('dev', 'a', '10.0.0.2'), 'rooms apart')
  for (const id of ['b', 'c', 'd']) v.vouched('lobby', id, '10.0.0.1')
  t.notOk(v.vouched('lobby', 'a', '10.0.0.3'), 'past the bound the oldest was forgotten (a is new again)')
  t.ok(v.vouched('lobby', 'd', '10.0.0.3'), 'the newest is kept')
  v.listed('lobby', 'c')
  t.notOk(v.vouched('lobby', 'c', '10.0.0.3'), 'one listed is no longer waiting')
  v.forget('lobby')
  t.notOk(v.vouched('lobby', 'd', '10.0.0.2'), 'forgotten with the room')
  t.end()
})

/** A neighbour of `node` on `host` that answers the node's first offer with `frames` (200 a frame), then offers back: resolves once the node answered that, so every frame before it was read. */
async function answers (node: MeshNode, host: string, frames: Buffer[]): Promise<RawPeer> {
  const p = rawPeer(node, true, generateKeyPair(), host)
  p.hello(undefined, ['lobby'], ROSTER)
  if (!await until(() => p.frames.some(f => f[0] === FrameType.ROSTER_OFFER))) throw new Error('no offer to the raw peer')
  for (let k = 0; k < frames.length; k += 200) p.link.send(encodeRosterData({ room: 'lobby', frames: frames.slice(k, k + 200) }))
  const before = p.frames.length
  p.link.send(encodeRosterOffer({ room: 'lobby', reply: false, ids: [] }))
  if (!await until(() => p.frames.slice(before).some(f => f[0] === FrameType.ROSTER_DATA), 20_000)) throw new Error('no answer to the offer back')
  return p
}

const room = (n: number): Buffer[] => Array.from({ length: n }, (_, i) => here(generateKeyPair(), { nick: `m${i}` }))

test(`roster vouches: a newcomer with two neighbours on two hosts lists a room of ${ROOM} at once; on one host, or from one, a budget each`, async (t) => {
  t.timeoutAfter(120_000)
  const frames = room(ROOM)

  const two = victimNode(t, PRESENCE_ON)
  await answers(two.node, '127.0.0.2', frames)
  t.ok(about(two.node.who('lobby').length, 1 + ROSTER_NEW_MEMBERS_BURST), `one neighbour lists ${ROSTER_NEW_MEMBERS_BURST}: its budget (${two.node.who('lobby').length - 1})`)
  await answers(two.node, '127.0.0.3', frames)
  t.equal(two.node.who('lobby').length, 1 + ROOM, `a second one on another host: all ${ROOM}`)
  t.ok(two.faults.filter(f => f.code === 'ROSTER_LIMIT').every(f => f.flow), 'the first link\'s limit was flow control, not a fault of the peer')

  const oneHost = victimNode(t, PRESENCE_ON)
  await answers(oneHost.node, '127.0.0.4', frames)
  await answers(oneHost.node, '127.0.0.4', frames)
  t.ok(about(oneHost.node.who('lobby').length, 1 + 2 * ROSTER_NEW_MEMBERS_BURST), `two neighbours on one host: a budget each, no vouching (${oneHost.node.who('lobby').length - 1})`)
})
