// Roster sync (core/roster-sync.ts): a newcomer lists a room from the
// neighbour it links to, at once and with no member flooding an answer; two
// parts of a room that meet list each other everywhere; and what a peer may
// put in roster data is bounded: nothing unasked, only announcements of
// members here, signed, not ahead of time, and not thousands of made-up keys.
// A node of an older version is never sent roster frames and is announced to.
import test from 'tape'
import { ManualClock } from '../lib/core/clock'
import { ROSTER_NEW_MEMBERS_BURST, ROSTER_RETRY_MS } from '../lib/core/roster-sync'
import { FrameType, HelloFlag, PING_FRAME } from '../lib/protocol/frames'
import { decodeFlood, MessageKind } from '../lib/protocol/envelope'
import { PresenceState } from '../lib/protocol/payloads'
import { decodeRosterOffer, encodeRosterData } from '../lib/protocol/roster-frames'
import { generateKeyPair } from '../lib/protocol/crypto'
import { MemMesh } from './helpers/mesh'
import { said } from '../lib/core/room-members'
import { SYNC_ID_BYTES } from '../lib/protocol/limits'
import { here, rawPeer, until, victimNode, wait } from './helpers/raw-peer'

const MEMBERS = 40
const STEP_MS = 250

/** Lets frames cross until nothing moved for a few turns. */
async function quiet (mesh: MemMesh): Promise<void> {
  let last = -1
  for (let same = 0; same < 3;) {
    await new Promise(resolve => setImmediate(resolve))
    const now = mesh.linkEnds.length + mesh.nodes.reduce((k, n) => k + n.stats().accepted, 0)
    if (now === last) same++
    else { same = 0; last = now }
  }
}

async function advance (clock: ManualClock, mesh: MemMesh, ms: number): Promise<void> {
  for (let t = 0; t < ms; t += STEP_MS) { clock.advance(STEP_MS); await quiet(mesh) }
}

test('roster sync: a newcomer linked to one member of a 40-member room lists all 41 within a second, and no member floods an announcement for it', async (t) => {
  t.timeoutAfter(60_000)
  const clock = new ManualClock(Date.now())
  const newcomer = MEMBERS + 1
  // The room forms with no new-author budget; the newcomer has the default one, as any node would.
  const mesh = new MemMesh(MEMBERS + 2, { clock, timing: { tickMs: STEP_MS } }, i => (i === newcomer ? {} : { newAuthorsPerLinkPerMin: 1e6 }))
  t.teardown(() => mesh.close())
  for (let i = 1; i <= MEMBERS; i++) mesh.connect(0, i)
  await advance(clock, mesh, 5_000)
  t.ok(mesh.nodes.slice(0, newcomer).every(n => n.who('lobby').length === MEMBERS + 1), `the room of ${MEMBERS + 1} formed`)
  // The hub included: it is known in the room already, so its new link is no reason to tell the whole room again.
  const memberKeys = new Set(mesh.nodes.slice(0, newcomer).map(n => n.id))
  let answers = 0
  mesh.connect(0, newcomer)
  for (const { end } of mesh.linkEnds) {
    end.on('frame', (f: Buffer) => {
      if (f[0] === FrameType.FLOOD && f[2] === MessageKind.PRESENCE && memberKeys.has(decodeFlood(f).author.toString('hex'))) answers++
    })
  }
  await advance(clock, mesh, 1_000)
  t.equal(mesh.nodes[newcomer].who('lobby').length, MEMBERS + 2, 'after one second the newcomer lists everyone (and itself)')
  t.ok(mesh.nodes.slice(0, newcomer).every(n => n.who('lobby').length === MEMBERS + 2), 'and everyone lists the newcomer')
  // Long enough for the answers members used to flood (a delay growing with the room), short of anyone's periodic announcement.
  await advance(clock, mesh, 15_000)
  t.equal(answers, 0, 'no member, the newcomer\'s neighbour included, flooded an announcement')
})

test('roster sync: two parts of a room that meet over one link list each other on every node', async (t) => {
  t.timeoutAfter(60_000)
  const clock = new ManualClock(Date.now())
  const mesh = new MemMesh(12, { clock, timing: { tickMs: STEP_MS }, newAuthorsPerLinkPerMin: 1e6 })
  t.teardown(() => mesh.close())
  // Two lines of six: 0-1-2-3-4-5 and 6-7-8-9-10-11.
  for (let i = 0; i < 5; i++) { mesh.connect(i, i + 1); mesh.connect(i + 6, i + 7) }
  await advance(clock, mesh, 5_000)
  t.ok(mesh.nodes.every(n => n.who('lobby').length === 6), 'each part lists its own six')
  // Old enough announcements that the parts' floods are long over (roster sync passes on only what is not still being flooded).
  await advance(clock, mesh, 15_000)
  mesh.connect(5, 6)
  await advance(clock, mesh, 3_000)
  t.deepEqual(mesh.nodes.map(n => n.who('lobby').length), new Array(12).fill(12), 'every node lists all twelve')
})

const PRESENCE_ON = { timing: { tickMs: 20, presenceIntervalMs: 30_000 } }

test('roster sync: roster data nobody asked for is not read and costs the link (SYNC_UNSOLICITED)', async (t) => {
  t.timeoutAfter(10_000)
  const { node, faults } = victimNode(t, PRESENCE_ON)
  const peer = rawPeer(node)
  // No ROSTER_SYNC flag: the node sends no offer, so any roster data is unasked for.
  peer.hello(undefined, ['lobby'], HelloFlag.SHAREABLE)
  await until(() => node.peers().length === 1)
  peer.link.send(encodeRosterData({ room: 'lobby', frames: [here(generateKeyPair())] }))
  t.ok(await until(() => faults.some(f => f.code === 'SYNC_UNSOLICITED')), 'SYNC_UNSOLICITED reported')
  t.equal(node.who('lobby').length, 1, 'nobody listed from it')
})

test('roster sync: in answer to its offer a node lists signed announcements of members here, and refuses a leave, a bad signature, a future date and another room, each with its code', async (t) => {
  t.timeoutAfter(10_000)
  const { node, faults } = victimNode(t, PRESENCE_ON)
  const peer = rawPeer(node)
  peer.hello(undefined, ['lobby'], HelloFlag.SHAREABLE | HelloFlag.ROSTER_SYNC)
  t.ok(await until(() => peer.frames.some(f => f[0] === FrameType.ROSTER_OFFER)), 'the node offered its roster on link-up')
  t.equal(decodeRosterOffer(peer.frames.find(f => f[0] === FrameType.ROSTER_OFFER)!).room, 'lobby', 'for the shared room')
  const good = generateKeyPair()
  const forged = Buffer.from(here(generateKeyPair()))
  forged[forged.length - 1] ^= 1
  const frames = [
    here(good, { nick: 'good' }),
    here(generateKeyPair(), { state: PresenceState.LEAVING }),
    forged,
    here(generateKeyPair(), { ts: Date.now() + 120_000 }),
    here(generateKeyPair(), { room: 'other' })
  ]
  peer.link.send(encodeRosterData({ room: 'lobby', frames }))
  t.ok(await until(() => node.who('lobby').some(m => m.nick === 'good')), 'the signed announcement is listed')
  t.ok(await until(() => ['FRAME_INVALID', 'BAD_SIGNATURE', 'TIME_SKEW'].every(c => faults.some(f => f.code === c))), 'the leave and the other room (FRAME_INVALID), the forgery (BAD_SIGNATURE) and the future date (TIME_SKEW) reported')
  t.equal(node.who('lobby').length, 2, 'and only the signed member is listed beside the node itself')
})

test(`roster sync: one link lists at most ${ROSTER_NEW_MEMBERS_BURST} made-up members at once (ROSTER_LIMIT), and the node asks that link again as its budget refills`, async (t) => {
  t.timeoutAfter(30_000)
  const clock = new ManualClock(Date.now())
  const { node, faults } = victimNode(t, { ...PRESENCE_ON, clock })
  const peer = rawPeer(node)
  peer.hello(undefined, ['lobby'], HelloFlag.SHAREABLE | HelloFlag.ROSTER_SYNC)
  const offers = () => peer.frames.filter(f => f[0] === FrameType.ROSTER_OFFER).length
  t.ok(await until(() => offers() === 1), 'offered')
  const made = Array.from({ length: ROSTER_NEW_MEMBERS_BURST + 200 }, () => here(generateKeyPair()))
  for (let i = 0; i < made.length; i += 200) peer.link.send(encodeRosterData({ room: 'lobby', frames: made.slice(i, i + 200) }))
  t.ok(await until(() => faults.some(f => f.code === 'ROSTER_LIMIT'), 10_000), 'ROSTER_LIMIT reported')
  t.equal(node.who('lobby').length, 1 + ROSTER_NEW_MEMBERS_BURST, `${ROSTER_NEW_MEMBERS_BURST} listed, the rest not`)
  // A minute's budget later (the link kept alive), the node offers the room to that link again; the rest then fit.
  for (let ms = 0; ms <= ROSTER_RETRY_MS; ms += 5000) { peer.link.send(PING_FRAME); clock.advance(5000); await wait(5) }
  t.ok(await until(() => offers() === 2), `offered again after ${ROSTER_RETRY_MS / 1000} s`)
  peer.link.send(encodeRosterData({ room: 'lobby', frames: made.slice(ROSTER_NEW_MEMBERS_BURST) }))
  t.ok(await until(() => node.who('lobby').length === 1 + made.length), `all ${made.length} listed once the budget refilled`)
})

test('roster sync: a node without it (an older version) is never sent roster frames, keeps its link, and both list each other', async (t) => {
  t.timeoutAfter(30_000)
  const clock = new ManualClock(Date.now())
  // Node 2 is the older one; 0 and 1 are a room it joins through 1.
  const mesh = new MemMesh(3, { clock, timing: { tickMs: STEP_MS }, newAuthorsPerLinkPerMin: 1e6 }, i => (i === 2 ? { rosterSync: false } : {}))
  t.teardown(() => mesh.close())
  mesh.connect(0, 1)
  await advance(clock, mesh, 2_000)
  const [, oldEnd] = mesh.connect(1, 2)
  const types = new Set<number>()
  oldEnd.on('frame', (f: Buffer) => types.add(f[0]))
  await advance(clock, mesh, 3_000)
  t.notOk(types.has(FrameType.ROSTER_OFFER) || types.has(FrameType.ROSTER_DATA), 'no roster frame reached the older node')
  t.ok(mesh.nodes[1].peers().some(p => p.peer === mesh.nodes[2].id), 'its link is still up')
  t.ok(mesh.nodes.slice(0, 2).every(n => n.who('lobby').some(m => m.peer === mesh.nodes[2].id)), 'the room lists the older node (it announced itself on link-up)')
  t.ok(mesh.nodes[2].who('lobby').some(m => m.peer === mesh.nodes[1].id), 'and the older node lists its neighbour (announced to it on link-up)')
})

test('roster sync: a kept announcement is a copy of its bytes in no buffer (a view into a bigger one would keep all of it alive; two views cost twice its size)', (t) => {
  const big = Buffer.alloc(64 * 1024, 7)
  for (let i = 0; i < 256; i++) big[100 + i] = i
  const frame = big.subarray(100, 400)
  const id = Buffer.from(Array.from({ length: 32 }, (_, i) => 255 - i))
  const kept = said({ frame, id, ts: 5 })
  t.notOk(Object.values(kept).some(v => v instanceof Uint8Array || v instanceof ArrayBuffer), 'it holds no buffer')
  t.ok(kept.frame.equals(frame) && kept.id.equals(id) && kept.ts === 5 && kept.frameLength === 300, 'same frame (every byte value), id and time')
  t.ok(kept.shortId().equals(id.subarray(0, SYNC_ID_BYTES)) && kept.shortIdHex() === id.toString('hex', 0, SYNC_ID_BYTES), 'its short id, as bytes and as hex')
  big.fill(0)
  t.deepEqual([kept.frame[1], kept.frame[255], kept.frame[299]], [1, 255, 7], 'unchanged when the bigger buffer is reused')
  t.end()
})
