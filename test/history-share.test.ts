// A full room's history is shared fairly: the heaviest author's oldest
// message goes first, an author at MAX_AUTHOR_SHARE pushes out only its own,
// and one key flooding a room cannot push anyone else out.
import test from 'tape'
import { RoomHistory } from '../lib/core/history'
import { encodeFlood, MessageKind, type FloodMessage } from '../lib/protocol/envelope'
import { generateKeyPair, type KeyPair } from '../lib/protocol/crypto'

const authors: Record<string, KeyPair> = {}
const kp = (name: string) => (authors[name] ??= generateKeyPair())

function msg (author: string, ts: number): FloodMessage {
  const k = kp(author)
  return encodeFlood({ kind: MessageKind.CHAT, author: k.publicKey, room: 'lobby', nick: author, ts, expires: ts + 60_000, ttl: 8, payload: Buffer.from(`${author}${ts}`) }, k, 1)
}

/** What a history holds, as author+ts in timestamp order. */
const held = (h: RoomHistory) => h.messages().map(m => m.payload.toString())

// A room of 8, so an author's share (MAX_AUTHOR_SHARE, a quarter) of a full
// room is 2 messages: the cases below are built on that.
const MAX = 8

test('a full room gives up the heaviest author\'s oldest message for a newcomer', (t) => {
  const h = new RoomHistory(MAX)
  // b posts 4 before the room is full (no share applies until then).
  for (const [a, ts] of [['b', 1], ['b', 2], ['b', 3], ['b', 4], ['c', 5], ['d', 6], ['e', 7], ['f', 8]] as const) t.ok(h.add(msg(a, ts)))
  t.ok(h.add(msg('g', 9)), 'a new author gets in')
  t.deepEqual(held(h), ['b2', 'b3', 'b4', 'c5', 'd6', 'e7', 'f8', 'g9'], 'b, the heaviest, lost its oldest')
  t.ok(h.add(msg('c', 10)), 'c (1 message) gets a second')
  t.deepEqual(held(h), ['b3', 'b4', 'c5', 'd6', 'e7', 'f8', 'g9', 'c10'], 'b again')
  t.ok(h.add(msg('h', 11)))
  t.deepEqual(held(h), ['b4', 'c5', 'd6', 'e7', 'f8', 'g9', 'c10', 'h11'], 'b, still the heaviest at 2 (c ties but b holds it first)')
  t.end()
})

test('an author at its share pushes out its own oldest, not the heaviest author\'s', (t) => {
  const h = new RoomHistory(MAX)
  for (const [a, ts] of [['b', 1], ['b', 2], ['b', 3], ['b', 4], ['a', 5], ['a', 6], ['c', 7], ['d', 8]] as const) h.add(msg(a, ts))
  t.ok(h.add(msg('a', 9)), 'a, holding 2, adds a third')
  t.deepEqual(held(h), ['b1', 'b2', 'b3', 'b4', 'a6', 'c7', 'd8', 'a9'], 'a lost its own oldest (a5); b, with 4, kept all')
  t.end()
})

test('a message older than its author\'s oldest is refused when that author is at its share', (t) => {
  const h = new RoomHistory(MAX)
  for (const [a, ts] of [['b', 1], ['b', 2], ['b', 3], ['b', 4], ['a', 5], ['a', 6], ['c', 7], ['d', 8]] as const) h.add(msg(a, ts))
  const before = held(h)
  t.notOk(h.add(msg('a', 4.5)), 'older than a5: refused')
  t.deepEqual(held(h), before, 'nothing changed')
  t.ok(h.add(msg('a', 5.5)), 'between a5 and a6: a5 goes for it')
  t.deepEqual(held(h), ['b1', 'b2', 'b3', 'b4', 'a5.5', 'a6', 'c7', 'd8'])
  t.end()
})

test('one key flooding a full room pushes out only its own messages', (t) => {
  const h = new RoomHistory(MAX)
  const others = ['b', 'c', 'd', 'e', 'f', 'g', 'h', 'i']
  others.forEach((a, i) => h.add(msg(a, i + 1)))
  for (let i = 0; i < 100; i++) h.add(msg('x', 100 + i))
  const got = held(h)
  // The first x message took b's place (every author held 1, b first); from
  // then on x ties the heaviest, and a tie is paid by the newcomer's author.
  t.deepEqual(got.filter(s => s.startsWith('x')), ['x199'], 'the flooder keeps only its newest')
  t.deepEqual(got.filter(s => !s.startsWith('x')), ['c2', 'd3', 'e4', 'f5', 'g6', 'h7', 'i8'], 'the 99 after its first pushed out none of the others')
  t.end()
})
