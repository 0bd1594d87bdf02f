// Presence word that arrives out of order: an older announcement or leave of
// a member, arriving after a newer one (a copy that came a long way round,
// or one roster sync passed on before the flood brought it), must not turn
// the member back. A simulated room of 500 lost a member from six nodes'
// /who that way: its first announcement (a 30 s interval, promised when it
// knew a small room) came to them after its second (a long one), and they
// expired it 75 s later though it was there.
import test from 'tape'
import { ManualClock } from '../lib/core/clock'
import { FrameType, HelloFlag, PING_FRAME } from '../lib/protocol/frames'
import { encodeRosterData } from '../lib/protocol/roster-frames'
import { encodeFlood, MessageKind } from '../lib/protocol/envelope'
import { encodePresence, LeaveReason, PresenceState, type PresencePayload } from '../lib/protocol/payloads'
import { generateKeyPair, type KeyPair } from '../lib/protocol/crypto'
import { rawPeer, until, victimNode, wait, type RawPeer } from './helpers/raw-peer'

/** Short and long announced intervals: a member times out after 2.5 of its latest. */
const SHORT_MS = 30_000
const LONG_MS = 600_000

function word (kp: KeyPair, ts: number, p: Omit<PresencePayload, 'listen'>): Buffer {
  return encodeFlood({ kind: MessageKind.PRESENCE, author: kp.publicKey, room: 'lobby', nick: 'x', ts, expires: ts + 60_000, ttl: 8, payload: encodePresence({ listen: '', ...p }) }, kp, 1).frame
}

/** Advances the node's clock in 5 s steps, the link kept alive. */
async function pass (clock: ManualClock, peer: RawPeer, ms: number): Promise<void> {
  for (let t = 0; t < ms; t += 5000) { peer.link.send(PING_FRAME); clock.advance(5000); await wait(5) }
}

function setup (t: test.Test, flags: number = HelloFlag.SHAREABLE) {
  const clock = new ManualClock(Date.now())
  const { node } = victimNode(t, { clock, timing: { presenceIntervalMs: SHORT_MS, presenceTimeoutMs: SHORT_MS, youngAuthorMs: 0 } })
  const peer = rawPeer(node)
  peer.hello(undefined, ['lobby'], flags)
  /** Sends frames and waits until the node accepted them all. */
  const send = async (...frames: Buffer[]) => {
    const before = node.stats().accepted
    for (const f of frames) peer.link.send(f)
    return until(() => node.stats().accepted === before + frames.length)
  }
  /** Whether the node lists `kp`'s key in the room. */
  const listed = (kp: KeyPair) => node.who('lobby').some(m => m.peer === kp.publicKey.toString('hex'))
  return { clock, node, peer, send, listed }
}

/** setup, once the raw peer's link is up. */
async function linked (t: test.Test, flags?: number): Promise<ReturnType<typeof setup>> {
  const s = setup(t, flags)
  await until(() => s.node.peers().length === 1)
  return s
}

test('presence: an older announcement arriving after a newer one does not shorten the member\'s timeout; an older leave does not drop it', async (t) => {
  t.timeoutAfter(20_000)
  const { clock, peer, send, listed } = await linked(t)
  const [x, y] = [generateKeyPair(), generateKeyPair()]
  const now = clock.now()
  t.ok(await send(word(x, now, { state: PresenceState.HERE, interval: LONG_MS }), word(x, now - 40_000, { state: PresenceState.HERE, interval: SHORT_MS })), 'x: its newer announcement (a 600 s interval), then an older one (30 s), both taken in')
  t.ok(await send(word(y, now, { state: PresenceState.HERE, interval: LONG_MS }), word(y, now - 20_000, { state: PresenceState.LEAVING, reason: LeaveReason.QUIT })), 'y: its announcement, then a leave older than it')
  t.ok(listed(y), 'y is listed: it announced itself after that leave')
  await pass(clock, peer, 100_000)
  t.ok(listed(x), 'x is listed 100 s later: past 2.5 x the older interval, well within the newer one')
  t.ok(await send(word(x, clock.now(), { state: PresenceState.LEAVING, reason: LeaveReason.QUIT })), 'a leave of x newer than its announcement')
  t.notOk(listed(x), 'drops it at once')
})

test('presence: the same for a gateway\'s guests: an older GUEST_HERE or GUEST_LEAVING does not turn one back', async (t) => {
  t.timeoutAfter(20_000)
  const { clock, node, peer, send } = await linked(t)
  const gw = generateKeyPair()
  const guest = (name: string) => node.who('lobby').some(m => m.nick === name && m.via !== undefined)
  const now = clock.now()
  t.ok(await send(word(gw, now, { state: PresenceState.GUEST_HERE, guest: 'ann', interval: LONG_MS }), word(gw, now - 40_000, { state: PresenceState.GUEST_HERE, guest: 'ann', interval: SHORT_MS })), 'ann: the newer GUEST_HERE, then an older one')
  t.ok(await send(word(gw, now, { state: PresenceState.GUEST_HERE, guest: 'bob', interval: LONG_MS }), word(gw, now - 20_000, { state: PresenceState.GUEST_LEAVING, guest: 'bob', reason: LeaveReason.QUIT })), 'bob: a GUEST_HERE, then an older GUEST_LEAVING')
  t.ok(guest('bob'), 'bob is listed')
  await pass(clock, peer, 100_000)
  t.ok(guest('ann'), 'ann is listed 100 s later')
  t.ok(node.who('lobby').some(m => m.peer === gw.publicKey.toString('hex') && m.via === undefined), 'so is their gateway (a guest\'s announcement is the gateway\'s word too)')
  t.ok(await send(word(gw, clock.now(), { state: PresenceState.GUEST_LEAVING, guest: 'ann', reason: LeaveReason.QUIT })), 'a newer GUEST_LEAVING for ann')
  t.notOk(guest('ann'), 'takes her out')
})

test('presence: a LOST report that arrives after the member\'s answer to it does not drop the member; one dated after its last word does', async (t) => {
  t.timeoutAfter(20_000)
  const { clock, peer, send, listed } = await linked(t)
  const [s, w] = [generateKeyPair(), generateKeyPair()]
  const now = clock.now()
  // W lost its link to S at now - 3 s and said so; S heard it and answered at now - 1 s; the answer came here first.
  t.ok(await send(word(s, now - 10_000, { state: PresenceState.HERE, interval: LONG_MS }), word(s, now - 1_000, { state: PresenceState.HERE, interval: LONG_MS }), word(w, now - 3_000, { state: PresenceState.LOST, subject: s.publicKey })), 'S\'s announcement, its answer, then the LOST it answered')
  await pass(clock, peer, 30_000)
  t.ok(listed(s), 'S is still listed after the 20 s grace: it answered the report before this node read it')
  t.ok(await send(word(w, clock.now(), { state: PresenceState.LOST, subject: s.publicKey })), 'a LOST dated after S\'s last word')
  await pass(clock, peer, 30_000)
  t.notOk(listed(s), 'drops S after the grace: it did not answer')
})

test('presence: a LOST dated before the last word of a member not heard from within the grace is taken (its clock ran ahead; that word was no answer)', async (t) => {
  t.timeoutAfter(20_000)
  const { clock, peer, send, listed } = await linked(t)
  const [s, w] = [generateKeyPair(), generateKeyPair()]
  const now = clock.now()
  // S's clock runs 25 s ahead: its announcement is dated now + 25 s. It falls silent.
  t.ok(await send(word(s, now + 25_000, { state: PresenceState.HERE, interval: LONG_MS })), 'S\'s announcement, dated 25 s ahead')
  await pass(clock, peer, 25_000)
  t.ok(await send(word(w, clock.now() - 1_000, { state: PresenceState.LOST, subject: s.publicKey })), 'W reports S LOST 25 s later, by a clock 1 s behind S\'s date')
  await pass(clock, peer, 30_000)
  t.notOk(listed(s), 'S drops out after the grace: heard from too long ago for its date to be an answer')
})

test('presence: roster sync does not turn a member back either: an older announcement passed on is stale, even when the member\'s clock runs ahead of this node\'s', async (t) => {
  t.timeoutAfter(20_000)
  const { clock, peer, send, listed } = await linked(t, HelloFlag.SHAREABLE | HelloFlag.ROSTER_SYNC)
  t.ok(await until(() => peer.frames.some(f => f[0] === FrameType.ROSTER_OFFER)), 'the node offered its roster')
  const x = generateKeyPair()
  // X's clock is 25 s ahead (inside the skew allowed): its words are dated after this node's now.
  const now = clock.now()
  t.ok(await send(word(x, now + 25_000, { state: PresenceState.HERE, interval: LONG_MS })), 'X\'s announcement, flooded')
  // In the same answer, after it, a member new here: once that one is listed, the older one was read.
  const z = generateKeyPair()
  peer.link.send(encodeRosterData({ room: 'lobby', frames: [word(x, now + 10_000, { state: PresenceState.HERE, interval: SHORT_MS }), word(z, now, { state: PresenceState.HERE, interval: LONG_MS })] }))
  t.ok(await until(() => listed(z)), 'roster data with an older announcement of X (a 30 s interval), then one of a new member, read')
  await pass(clock, peer, 100_000)
  t.ok(listed(x), 'X is listed 100 s later: the older announcement (30 s interval) passed on by roster sync did not replace its newer one')
})
