// Reasons for found peers that did not link (lib/transport/swarm-failures.ts):
// hyperdht codes in words, the too-few-DHT-nodes cause named, and the book
// reporting only peers still unlinked, latest reason first.
import test from 'tape'
import { FailureBook, MAX_REMEMBERED_FAILURES, connectFailureReason } from '../lib/transport/swarm-failures'

test('an aborted punch with fewer than 3 DHT nodes names the cause; with enough it does not', (t) => {
  t.match(connectFailureReason('HOLEPUNCH_ABORTED', 'x', 1), /too few nodes \(1\) to learn your NAT type/)
  t.doesNotMatch(connectFailureReason('HOLEPUNCH_ABORTED', 'x', 4), /too few nodes/)
  t.match(connectFailureReason('HOLEPUNCH_DOUBLE_RANDOMIZED_NATS', 'x', 1), /both sides are behind hard NATs/, 'not a node-count problem')
  t.equal(connectFailureReason(undefined, 'socket hang up', 4), 'connection failed: socket hang up', 'unknown errors keep their message')
  t.end()
})

test('the failure book counts unlinked peers only and gives the latest reason', (t) => {
  const book = new FailureBook()
  book.record('a', 'first')
  book.record('b', 'second')
  t.deepEqual(book.among(['a', 'b', 'c']), { failed: 2, reason: 'second' })
  book.record('a', 'third')
  t.deepEqual(book.among(['a', 'b']), { failed: 2, reason: 'third' }, 'a newer failure of an older peer is the latest')
  book.clear('a')
  t.deepEqual(book.among(['a', 'b']), { failed: 1, reason: 'second' }, 'a peer that linked is history')
  t.deepEqual(book.among(['c']), { failed: 0, reason: null })
  for (let i = 0; i <= MAX_REMEMBERED_FAILURES; i++) book.record(`p${i}`, 'r')
  t.equal(book.among(['b']).failed, 0, 'the oldest is forgotten past the cap')
  t.end()
})
