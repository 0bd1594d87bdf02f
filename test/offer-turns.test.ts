// One history offer per room at a time (core/answer-window.ts, OfferTurns):
// offers to several neighbours at once each drew the same whole answer.
import test from 'tape'
import { ManualClock } from '../lib/core/clock'
import { OfferTurns, SYNC_ANSWER_QUIET_MS, SYNC_ANSWER_WAIT_MS } from '../lib/core/answer-window'
import type { LinkSession } from '../lib/core/link-session'

function session (name: string) {
  return { name, established: true, link: { closed: false }, hello: { rooms: ['lobby'] } } as unknown as LinkSession & { name: string; link: { closed: boolean } }
}

function turns () {
  const clock = new ManualClock()
  const sent: string[] = []
  const t = new OfferTurns(clock, (s, room, reply) => sent.push(`${(s as any).name} ${room}${reply ? ' reply' : ''}`), (s, room) => !!s.hello?.rooms.includes(room))
  return { clock, sent, t }
}

test('offers to three links for one room go out one at a time, each once the answer before it has been quiet', (t) => {
  const { clock, sent, t: turns_ } = turns()
  const [a, b, c] = [session('a'), session('b'), session('c')]
  turns_.offer(a, 'lobby', false)
  turns_.offer(b, 'lobby', false)
  turns_.offer(c, 'lobby', true)
  turns_.offer(b, 'other', false)
  t.deepEqual(sent, ['a lobby', 'b other'], 'the first offer of each room goes at once; the rest wait')
  clock.advance(SYNC_ANSWER_WAIT_MS - 1)
  turns_.heard(a, 'lobby')
  clock.advance(SYNC_ANSWER_QUIET_MS - 1)
  t.deepEqual(sent, ['a lobby', 'b other'], 'an answer that started just in time, still coming, keeps its turn')
  turns_.heard(b, 'lobby')
  clock.advance(1)
  t.deepEqual(sent, ['a lobby', 'b other', 'b lobby'], 'data from a link that is not in turn does not; once quiet, the next goes')
  c.link.closed = true
  clock.advance(SYNC_ANSWER_WAIT_MS)
  t.deepEqual(sent, ['a lobby', 'b other', 'b lobby'], 'an empty answer ends its turn after the wait; a closed link\'s waiting offer is dropped')
  turns_.offer(c, 'lobby', true)
  t.deepEqual(sent.slice(3), ['c lobby reply'], 'with no answer coming an offer goes at once')
  turns_.close()
  t.end()
})

test('an answer that never starts holds its room for SYNC_ANSWER_WAIT_MS, not longer', (t) => {
  const { clock, sent, t: turns_ } = turns()
  const [a, b] = [session('a'), session('b')]
  turns_.offer(a, 'lobby', false)
  turns_.offer(b, 'lobby', false)
  clock.advance(SYNC_ANSWER_WAIT_MS - 1)
  t.deepEqual(sent, ['a lobby'], 'b waits while a\'s answer may still come')
  clock.advance(1)
  t.deepEqual(sent, ['a lobby', 'b lobby'], 'then b is offered')
  turns_.close()
  t.end()
})

test('a link whose turn it is may be offered again at once; a closed one gives its turn up', (t) => {
  const { sent, t: turns_ } = turns()
  const [a, b] = [session('a'), session('b')]
  turns_.offer(a, 'lobby', false)
  turns_.offer(a, 'lobby', true)
  t.deepEqual(sent, ['a lobby', 'a lobby reply'], 'the same link: sent again')
  a.link.closed = true
  turns_.offer(b, 'lobby', false)
  t.deepEqual(sent.slice(2), ['b lobby'], 'the link in turn closed: the next goes at once')
  turns_.close()
  t.end()
})
