// PrivateMessages on a fake clock, two or three parties wired by hand: the
// ack timeout, the time window, a box whose inner sender is not its author,
// the replay memory's expiry and cap, the pending-ack cap, malformed input.
import test from 'tape'
import { randomBytes } from 'crypto'
import { generateKeyPair, type KeyPair } from '../lib/protocol/crypto'
import { encodeFlood, MessageKind, type FloodMessage } from '../lib/protocol/envelope'
import { decodeAck, encodeAck, encodePrivate, MAX_ACK_IDS } from '../lib/protocol/payloads'
import { boxPrivate, newPrivateId } from '../lib/protocol/private-box'
import { MAX_PENDING_PRIVATE, MAX_SEEN_PRIVATE_IDS, MAX_WAITING_ACKS, PRIVATE_WINDOW_MS, PrivateMessages } from '../lib/core/private'
import { SharedBudget } from '../lib/core/send-budget'
import { ReplayGuard } from '../lib/core/replay-guard'
import { ManualClock } from '../lib/core/clock'
import type { ChatMessage } from '../lib/core/types'

const ACK_MS = 30_000

/** The core's ManualClock, with a count of armed timers for these tests. */
class FakeClock extends ManualClock {
  get armed (): number { return this.pending }
}

/** `sendBudget`: the node's; by default one that never runs dry, so acks go at once. */
function party (clock: FakeClock, kp: KeyPair = generateKeyPair(), maxSeenIds?: number, sendBudget = new SharedBudget(1e9, 1e9, clock)) {
  const out: FloodMessage[] = []
  const shown: ChatMessage[] = []
  const delivered: string[] = []
  const undelivered: string[] = []
  const dropped: string[] = []
  const pm = new PrivateMessages({
    keyPair: kp,
    nick: () => 'p',
    originate: (kind, room, payload) => {
      if (kind === MessageKind.ACK) sendBudget.take() // as node.originate does
      const ts = clock.now()
      const m = encodeFlood({ kind, author: kp.publicKey, room, nick: 'p', ts, expires: ts + 60_000, ttl: 8, payload }, kp, 0)
      out.push(m)
      return m
    },
    message: m => shown.push(m),
    delivered: id => delivered.push(id),
    undelivered: id => undelivered.push(id),
    ackTimeoutMs: ACK_MS,
    clock,
    dropped: e => dropped.push(e.code),
    maxSeenIds,
    sendBudget
  })
  const id = kp.publicKey.toString('hex')
  return { kp, id, pm, out, shown, delivered, undelivered, dropped }
}

/** A PRIVATE from `author` carrying a box `boxer` made of a given inner, unsigned (onMessage trusts the router's verification). */
function privateFrom (author: KeyPair, boxer: KeyPair, to: Buffer, ts: number, id = newPrivateId(), claimedFrom = boxer.publicKey): FloodMessage {
  const { nonce, box } = boxPrivate(boxer, { from: claimedFrom, to, ts, id, text: 'x' })
  return { kind: MessageKind.PRIVATE, author: author.publicKey, room: '', nick: 'p', ts, expires: ts + 60_000, ttl: 8, payload: encodePrivate({ to, nonce, box }), id: randomBytes(32), hops: 1, signature: Buffer.alloc(64), frame: Buffer.alloc(0) }
}

test('ack timeout runs on the injected clock: undelivered exactly at the timeout, never after an ack', (t) => {
  const clock = new FakeClock()
  const a = party(clock)
  const b = party(clock)
  const lost = a.pm.send(b.id, 'nobody carries this')
  clock.advance(ACK_MS - 1)
  t.deepEqual(a.undelivered, [], 'not yet at timeout - 1 ms')
  clock.advance(1)
  t.deepEqual(a.undelivered, [lost.id], 'undelivered at the timeout')
  const ok = a.pm.send(b.id, 'carried')
  b.pm.onMessage(a.out[a.out.length - 1])
  t.equal(b.shown.length, 1, 'bob shows it')
  a.pm.onMessage(b.out[0])
  t.deepEqual(a.delivered, [ok.id], 'delivered on the ack')
  t.equal(clock.armed, 0, 'its timer was cleared')
  clock.advance(ACK_MS)
  t.deepEqual(a.undelivered, [lost.id], 'no undelivered after the ack')
  t.end()
})

test('the time window: a message further than PRIVATE_WINDOW_MS from the recipient\'s clock is PRIVATE_STALE, unacknowledged', (t) => {
  const a = party(new FakeClock())
  const late = party(new FakeClock(1_700_000_000_000 + PRIVATE_WINDOW_MS + 1), generateKeyPair())
  const edge = party(new FakeClock(1_700_000_000_000 - PRIVATE_WINDOW_MS), generateKeyPair())
  a.pm.send(late.id, 'too old for you')
  late.pm.onMessage(a.out[0])
  t.deepEqual([late.shown.length, late.out.length, late.dropped, late.pm.stats.stale], [0, 0, ['PRIVATE_STALE'], 1], 'stale: dropped, counted, no ack')
  a.pm.send(edge.id, 'just in time')
  edge.pm.onMessage(a.out[1])
  t.deepEqual([edge.shown.length, edge.out.length], [1, 1], 'at the window edge: shown and acked')
  t.end()
})

test('an inner sender that is not the signed author is PRIVATE_FORGED, unacknowledged', (t) => {
  const clock = new FakeClock()
  const alice = generateKeyPair()
  const bob = party(clock)
  const relay = generateKeyPair()
  // The relay boxes with its own key (so the box opens under its key) but claims alice inside.
  bob.pm.onMessage(privateFrom(relay, relay, bob.kp.publicKey, clock.now(), newPrivateId(), alice.publicKey))
  t.deepEqual([bob.shown.length, bob.out.length, bob.dropped, bob.pm.stats.forged], [0, 0, ['PRIVATE_FORGED'], 1], 'dropped and counted, no ack')
  t.end()
})

test('replay memory: a repeat inside the window is PRIVATE_REPLAY; ids expire with the window', (t) => {
  const clock = new FakeClock()
  const alice = generateKeyPair()
  const bob = party(clock)
  const id = newPrivateId()
  const ts = clock.now()
  bob.pm.onMessage(privateFrom(alice, alice, bob.kp.publicKey, ts, id))
  bob.pm.onMessage(privateFrom(alice, alice, bob.kp.publicKey, ts, id))
  t.deepEqual([bob.shown.length, bob.out.length, bob.dropped], [1, 1, ['PRIVATE_REPLAY']], 'second copy dropped, one ack')
  const other = generateKeyPair()
  bob.pm.onMessage(privateFrom(other, other, bob.kp.publicKey, ts, id))
  t.equal(bob.shown.length, 2, 'the same random id from another sender is not a replay')
  clock.advance(PRIVATE_WINDOW_MS + 1)
  bob.pm.onMessage(privateFrom(alice, alice, bob.kp.publicKey, ts, id))
  t.deepEqual(bob.dropped, ['PRIVATE_REPLAY', 'PRIVATE_STALE'], 'after the window the copy is stale, still not shown')
  bob.pm.onMessage(privateFrom(alice, alice, bob.kp.publicKey, clock.now()))
  t.equal(bob.pm.seenIds, 1, 'expired ids are forgotten')
  t.end()
})

test(`replay memory is capped (MAX_SEEN_PRIVATE_IDS = ${MAX_SEEN_PRIVATE_IDS} by default), forgetting the oldest`, (t) => {
  const clock = new FakeClock()
  t.equal(party(clock).pm.seenCap, MAX_SEEN_PRIVATE_IDS, 'the default cap is the constant')
  const CAP = 20
  const alice = generateKeyPair()
  const bob = party(clock, generateKeyPair(), CAP)
  const ids: Buffer[] = []
  for (let i = 0; i <= CAP; i++) {
    ids.push(newPrivateId())
    bob.pm.onMessage(privateFrom(alice, alice, bob.kp.publicKey, clock.now(), ids[i]))
  }
  t.equal(bob.shown.length, CAP + 1, 'all shown')
  t.equal(bob.pm.seenIds, CAP, 'memory at its cap')
  bob.pm.onMessage(privateFrom(alice, alice, bob.kp.publicKey, clock.now(), ids[CAP]))
  t.deepEqual(bob.dropped, ['PRIVATE_REPLAY'], 'the newest is still remembered')
  bob.pm.onMessage(privateFrom(alice, alice, bob.kp.publicKey, clock.now(), ids[0]))
  t.equal(bob.shown.length, CAP + 2, 'the evicted oldest is accepted again (the documented cost of the cap)')
  t.end()
})

test(`pending acks are capped at MAX_PENDING_PRIVATE (${MAX_PENDING_PRIVATE}): the oldest is given up`, (t) => {
  const clock = new FakeClock()
  const a = party(clock)
  const b = party(clock)
  const first = a.pm.send(b.id, 'first')
  for (let i = 1; i < MAX_PENDING_PRIVATE; i++) a.pm.send(b.id, `m${i}`)
  t.deepEqual(a.undelivered, [], 'none given up at the cap')
  a.pm.send(b.id, 'one more')
  t.deepEqual(a.undelivered, [first.id], 'the oldest is undelivered at once')
  t.equal(a.pm.pendingCount, MAX_PENDING_PRIVATE, 'pending stays at the cap')
  t.equal(clock.armed, MAX_PENDING_PRIVATE, 'its timer was cleared')
  a.pm.close()
  t.equal(clock.armed, 0, 'close clears every timer')
  t.end()
})

test('malformed PRIVATE and ACK payloads are PRIVATE_INVALID, counted, never thrown', (t) => {
  const clock = new FakeClock()
  const b = party(clock)
  const kp = generateKeyPair()
  const bad = (kind: number, payload: Buffer) => encodeFlood({ kind, author: kp.publicKey, room: '', nick: 'x', ts: clock.now(), expires: clock.now() + 1000, ttl: 8, payload }, kp, 0)
  t.doesNotThrow(() => b.pm.onMessage(bad(MessageKind.PRIVATE, Buffer.alloc(40))), 'short private')
  t.doesNotThrow(() => b.pm.onMessage(bad(MessageKind.ACK, Buffer.alloc(63))), 'short ack')
  t.deepEqual([b.dropped, b.pm.stats.invalid, b.shown.length, b.out.length], [['PRIVATE_INVALID', 'PRIVATE_INVALID'], 2, 0, 0], 'both counted, nothing shown or sent')
  t.end()
})

test('ReplayGuard: cap, eviction order, expiry', (t) => {
  let now = 0
  const g = new ReplayGuard({ maxSize: 3, now: () => now })
  t.ok(g.add('a', 100) && g.add('b', 100) && g.add('c', 100), 'three added')
  t.notOk(g.add('b', 100), 'a duplicate is refused')
  t.ok(g.add('d', 100), 'a fourth evicts')
  t.deepEqual([g.size, g.has('a'), g.has('d'), g.evicted], [3, false, true, 1], 'the oldest went')
  now = 100
  t.notOk(g.has('b'), 'expired at its time')
  t.ok(g.add('b', 200), 'and may be added again')
  t.equal(g.size, 1, 'expired entries swept on add')
  t.throws(() => new ReplayGuard({ maxSize: 0, now: () => 0 }), /at least 1/, 'a zero cap is refused')
  t.end()
})

test(`acks wait for the send budget, at most MAX_WAITING_ACKS (${MAX_WAITING_ACKS}) for as many senders; past that a message is shown unacknowledged, never dropped`, (t) => {
  const clock = new FakeClock()
  // One token a second, one at once: the acks of a burst must wait.
  const budget = new SharedBudget(1, 1, clock)
  const b = party(clock, generateKeyPair(), undefined, budget)
  const N = MAX_WAITING_ACKS + 50
  // Each from a sender of its own: no two acks can go out together.
  for (let i = 0; i < N; i++) {
    const a = generateKeyPair()
    b.pm.onMessage(privateFrom(a, a, b.kp.publicKey, clock.now()))
  }
  t.equal(b.shown.length, N, `all ${N} shown`)
  t.equal(b.out.length, 1, 'one ack went at once (the budget held one token)')
  t.equal(b.pm.stats.unacked, N - 1 - MAX_WAITING_ACKS, `${MAX_WAITING_ACKS} acks wait; the ${N - 1 - MAX_WAITING_ACKS} past that are not sent`)
  clock.advance(10_000)
  t.ok(b.out.length >= 10 && b.out.length <= 12, `the waiting acks go out as the budget refills (${b.out.length} after 10 s at one a second)`)
  t.ok(b.out.every(m => m.kind === MessageKind.ACK && decodeAck(m.payload).of.length === 1), 'every one an ack of one message')
  b.pm.close()
  t.end()
})

test(`acks that wait go out together, up to MAX_ACK_IDS (${MAX_ACK_IDS}) each: one sender's ${MAX_WAITING_ACKS + 50} private messages cost ${2 + Math.ceil((MAX_WAITING_ACKS + 48) / MAX_ACK_IDS)} acks, and it hears every one delivered`, (t) => {
  const clock = new FakeClock()
  const budget = new SharedBudget(1, 1, clock)
  const a = party(clock)
  const b = party(clock, generateKeyPair(), undefined, budget)
  const N = MAX_WAITING_ACKS + 50
  const sent: string[] = []
  for (let i = 0; i < N; i++) {
    sent.push(a.pm.send(b.id, `m ${i}`).id)
    b.pm.onMessage(a.out[a.out.length - 1])
  }
  t.equal(b.shown.length, N, `all ${N} shown`)
  t.equal(b.pm.stats.unacked, 0, 'none left unacknowledged')
  t.equal(b.out.length, 1, 'one ack went at once')
  // The first waiting ack fills before the budget has a token again; the rest wait in acks of MAX_ACK_IDS.
  const acks = 1 + Math.ceil((N - 1) / MAX_ACK_IDS)
  clock.advance(acks * 1000)
  t.equal(b.out.length, acks, `${acks} acks in all, each taking one token`)
  t.ok(b.out.every(m => m.kind === MessageKind.ACK && decodeAck(m.payload).of.length <= MAX_ACK_IDS), `none over ${MAX_ACK_IDS} ids`)
  for (const m of b.out) a.pm.onMessage(m)
  t.deepEqual(a.delivered.slice().sort(), sent.slice().sort(), `the sender heard all ${N} delivered`)
  t.deepEqual(a.undelivered, [], 'none undelivered')
  t.equal(a.pm.stats.acked, N, `${N} acked, none twice`)
  for (const m of b.out) a.pm.onMessage(m)
  t.equal(a.delivered.length, N, 'an ack seen again delivers nothing more')
  a.pm.close()
  b.pm.close()
  t.end()
})

test('an ack counts only the ids its signed author was sent, whatever else it lists', (t) => {
  const clock = new FakeClock()
  const a = party(clock)
  const b = party(clock)
  const c = party(clock)
  const toB = a.pm.send(b.id, 'for b')
  const toC = a.pm.send(c.id, 'for c')
  // b acknowledges its own message and claims c's too.
  const forged = encodeFlood({ kind: MessageKind.ACK, author: b.kp.publicKey, room: '', nick: 'p', ts: clock.now(), expires: clock.now() + 60_000, ttl: 8, payload: encodeAck({ to: a.kp.publicKey, of: [Buffer.from(toB.id, 'hex'), Buffer.from(toC.id, 'hex')] }) }, b.kp, 0)
  a.pm.onMessage(forged)
  t.deepEqual(a.delivered, [toB.id], 'only b\'s own message is delivered')
  t.equal(a.pm.pendingCount, 1, 'c\'s still waits for c')
  a.pm.close()
  t.end()
})
