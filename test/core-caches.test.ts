// The core's bounded memories on a hand-driven clock: the seen cache (size
// and age), the per-room delivered log, and the token bucket.
import test from 'tape'
import { SeenCache } from '../lib/core/seen-cache'
import { DeliveredLog, MAX_DELIVERED_PER_ROOM } from '../lib/core/delivered-log'
import { TokenBucket } from '../lib/core/token-bucket'

test('seen cache: at maxSize the oldest id goes first', (t) => {
  const cache = new SeenCache({ maxSize: 3, maxAgeMs: 60_000, now: () => 0 })
  for (const id of ['a', 'b', 'c']) t.ok(cache.add(id), `${id} added`)
  t.notOk(cache.add('b'), 'an id present is not added again')
  t.equal(cache.size, 3)
  t.ok(cache.add('d'), 'a fourth id is added')
  t.equal(cache.size, 3, 'still three')
  t.deepEqual(['a', 'b', 'c', 'd'].map(id => cache.has(id)), [false, true, true, true], 'the oldest, a, went')
  t.ok(cache.add('a'), 'a forgotten id is new again')
  t.deepEqual(['a', 'b', 'c', 'd'].map(id => cache.has(id)), [true, false, true, true], 'then b went')
  t.end()
})

test('seen cache: many times its size keeps exactly the newest maxSize ids', (t) => {
  const cache = new SeenCache({ maxSize: 1000, maxAgeMs: 60_000, now: () => 0 })
  for (let i = 0; i < 5000; i++) cache.add(`id${i}`)
  t.equal(cache.size, 1000)
  let kept = 0
  let gone = 0
  for (let i = 0; i < 5000; i++) {
    if (cache.has(`id${i}`)) { if (i >= 4000) kept++ } else if (i < 4000) gone++
  }
  t.equal(kept, 1000, 'the newest 1000 are held')
  t.equal(gone, 4000, 'the 4000 before them are gone')
  t.end()
})

test('seen cache: an id is kept maxAgeMs, then forgotten, oldest first', (t) => {
  let now = 10_000
  const cache = new SeenCache({ maxSize: 100, maxAgeMs: 1000, now: () => now })
  cache.add('early')
  now += 500
  cache.add('later')
  now = 11_000
  t.ok(cache.has('early'), 'at exactly maxAgeMs it is still there')
  now = 11_001
  t.notOk(cache.has('early'), 'one ms later it is gone')
  t.ok(cache.has('later'), 'the younger one stays')
  t.equal(cache.size, 1)
  now = 11_501
  t.notOk(cache.has('later'), 'and goes at its own age')
  t.equal(cache.size, 0)
  t.ok(cache.add('early'), 'an expired id can be added again')
  t.end()
})

test('seen cache: hop counts are kept per id and can only be set for ids held', (t) => {
  const cache = new SeenCache({ maxSize: 10, maxAgeMs: 1000, now: () => 0 })
  cache.add('x', 5)
  t.equal(cache.hopsOf('x'), 5)
  cache.setHops('x', 2)
  t.equal(cache.hopsOf('x'), 2, 'lowered')
  cache.setHops('y', 1)
  t.equal(cache.hopsOf('y'), undefined, 'setHops does not add an id')
  t.notOk(cache.has('y'))
  t.end()
})

test('delivered log: capped per room, oldest forgotten first, rooms apart', (t) => {
  const log = new DeliveredLog(3)
  for (const id of ['a', 'b', 'c']) t.ok(log.add('lobby', id))
  t.notOk(log.add('lobby', 'b'), 'a delivered id is refused')
  t.ok(log.add('lobby', 'd'))
  t.deepEqual(['a', 'b', 'c', 'd'].map(id => log.has('lobby', id)), [false, true, true, true], 'the oldest, a, is forgotten')
  t.ok(log.add('dev', 'a') && log.add('dev', 'x') && log.add('dev', 'y'), 'another room has its own three')
  t.deepEqual(['b', 'c', 'd'].map(id => log.has('lobby', id)), [true, true, true], 'and takes none of lobby\'s places')
  log.forget('lobby')
  t.notOk(log.has('lobby', 'd'), 'forget clears a room')
  t.ok(log.has('dev', 'x'), 'only that room')
  t.end()
})

test(`delivered log: by default a room remembers ${MAX_DELIVERED_PER_ROOM} ids`, (t) => {
  const log = new DeliveredLog()
  for (let i = 0; i <= MAX_DELIVERED_PER_ROOM; i++) log.add('lobby', `id${i}`)
  t.notOk(log.has('lobby', 'id0'), `the first is forgotten at ${MAX_DELIVERED_PER_ROOM + 1}`)
  t.ok(log.has('lobby', 'id1'), 'the second is still there')
  t.ok(log.has('lobby', `id${MAX_DELIVERED_PER_ROOM}`), 'and the newest')
  t.end()
})

test('token bucket: a full burst at once, then rate tokens a second', (t) => {
  let now = 0
  const bucket = new TokenBucket(10, 5, () => now)
  const takes = Array.from({ length: 6 }, () => bucket.take())
  t.deepEqual(takes, [true, true, true, true, true, false], 'the burst of 5, then nothing')
  now += 50
  t.notOk(bucket.take(), 'half a token after 50 ms at 10/s is not enough')
  now += 50
  t.ok(bucket.take(), 'one token after 100 ms')
  t.notOk(bucket.take(), 'and only one')
  now += 300
  t.deepEqual([bucket.take(), bucket.take(), bucket.take(), bucket.take()], [true, true, true, false], 'three after 300 ms')
  t.end()
})

test('token bucket: refills to the burst and no further; cost above 1', (t) => {
  let now = 0
  const bucket = new TokenBucket(10, 5, () => now)
  t.ok(bucket.take(5), 'the whole burst in one take')
  t.equal(bucket.available, 0)
  now += 60_000
  t.equal(bucket.available, 5, 'a minute later: the burst, not 600')
  t.ok(bucket.take(3), 'cost 3 of 5')
  t.equal(bucket.available, 2)
  t.notOk(bucket.take(3), 'cost 3 of 2 is refused')
  t.equal(bucket.available, 2, 'and a refused take costs nothing')
  t.ok(bucket.take(2))
  now -= 10_000
  t.equal(bucket.available, 0, 'a clock stepping back adds no tokens')
  now += 100
  t.equal(bucket.available, 1, 'time counts again from where the clock went back to')
  t.end()
})
