// Time in the core without sleeping: redial backoff (doubling, cap, jitter,
// reset) and the ManualClock the core and simulator run on (timer order,
// clearTimeout, `every`).
import test from 'tape'
import { Backoff } from '../lib/core/backoff'
import { ManualClock, every } from '../lib/core/clock'
import { seededRandom } from '../lib/util/prng'

test('backoff: doubles from min up to max, then stays at max', (t) => {
  const b = new Backoff({ minMs: 500, maxMs: 30_000, jitter: 0.5, random: () => 0 })
  const delays = Array.from({ length: 9 }, () => b.next())
  t.deepEqual(delays, [500, 1000, 2000, 4000, 8000, 16_000, 30_000, 30_000, 30_000], 'random 0: no jitter taken off')
  t.end()
})

test('backoff: jitter takes off at most jitter x the delay', (t) => {
  const top = new Backoff({ minMs: 1000, maxMs: 8000, jitter: 0.25, random: () => 1 })
  t.deepEqual(Array.from({ length: 5 }, () => top.next()), [750, 1500, 3000, 6000, 6000], 'random 1: a quarter off each')
  const random = seededRandom(3)
  const b = new Backoff({ minMs: 1000, maxMs: 8000, jitter: 0.25, random })
  const bases = [1000, 2000, 4000, 8000, 8000, 8000]
  const outside: string[] = []
  for (let round = 0; round < 20; round++) {
    b.reset()
    for (const base of bases) {
      const d = b.next()
      if (d < base * 0.75 || d > base) outside.push(`${d} for ${base}`)
    }
  }
  t.deepEqual(outside, [], 'every delay of 20 runs within [0.75, 1] x its base')
  const spread = new Set(Array.from({ length: 50 }, () => { b.reset(); return b.next() }))
  t.ok(spread.size > 10, `jitter spreads the first delay (${spread.size} distinct values in 50)`)
  t.ok([...spread].every(d => d >= 750 && d <= 1000), 'every first delay within [750, 1000]')
  t.end()
})

test('backoff: reset starts again from min', (t) => {
  const b = new Backoff({ minMs: 100, maxMs: 10_000, jitter: 0, random: () => 0.5 })
  t.deepEqual([b.next(), b.next(), b.next()], [100, 200, 400])
  b.reset()
  t.deepEqual([b.next(), b.next()], [100, 200], 'after reset')
  t.end()
})

test('manual clock: timers run in due order, ties in the order they were set, with now() at their due time', (t) => {
  const clock = new ManualClock(1000)
  const ran: string[] = []
  const at = (name: string) => () => ran.push(`${name}@${clock.now()}`)
  clock.setTimeout(at('c'), 30)
  clock.setTimeout(at('a1'), 10)
  clock.setTimeout(at('b'), 20)
  clock.setTimeout(at('a2'), 10)
  clock.setTimeout(at('late'), 101)
  t.equal(clock.pending, 5)
  clock.advance(15)
  t.deepEqual(ran, ['a1@1010', 'a2@1010'], 'only what fell due in 15 ms')
  t.equal(clock.now(), 1015, 'now() is the end of the advance')
  clock.advance(85)
  t.deepEqual(ran, ['a1@1010', 'a2@1010', 'b@1020', 'c@1030'], 'the rest in order; 101 ms not yet due at 100')
  t.equal(clock.pending, 1)
  clock.advance(1)
  t.equal(ran[ran.length - 1], 'late@1101')
  t.equal(clock.pending, 0)
  t.end()
})

test('manual clock: a timer set by a timer runs in the same advance when it falls due in it', (t) => {
  const clock = new ManualClock(0)
  const ran: number[] = []
  clock.setTimeout(() => {
    ran.push(clock.now())
    clock.setTimeout(() => ran.push(clock.now()), 5)
    clock.setTimeout(() => ran.push(clock.now()), 50)
  }, 10)
  clock.advance(20)
  t.deepEqual(ran, [10, 15], 'the one due at 15 ran, the one due at 60 waits')
  clock.advance(40)
  t.deepEqual(ran, [10, 15, 60])
  t.end()
})

test('manual clock: clearTimeout cancels only that timer; a negative delay is due now', (t) => {
  const clock = new ManualClock(0)
  const ran: string[] = []
  const keep = clock.setTimeout(() => ran.push('keep'), 10)
  const drop = clock.setTimeout(() => ran.push('drop'), 10)
  clock.clearTimeout(drop)
  clock.clearTimeout(null)
  t.equal(clock.pending, 1, 'one timer left')
  clock.setTimeout(() => ran.push('now'), -5)
  clock.advance(0)
  t.deepEqual(ran, ['now'], 'a negative delay runs on advance(0)')
  clock.advance(10)
  t.deepEqual(ran, ['now', 'keep'], 'the cleared timer never ran')
  clock.clearTimeout(keep)
  t.equal(clock.pending, 0, 'clearing a timer that ran changes nothing')
  t.end()
})

test('every: runs every ms on the clock until stopped, and nothing after', (t) => {
  const clock = new ManualClock(0)
  const ticks: number[] = []
  const stop = every(clock, 100, () => ticks.push(clock.now()))
  clock.advance(99)
  t.deepEqual(ticks, [], 'not before the first interval')
  clock.advance(251)
  t.deepEqual(ticks, [100, 200, 300], 'three ticks in 350 ms')
  stop()
  t.equal(clock.pending, 0, 'stopping clears the next timer')
  clock.advance(1000)
  t.deepEqual(ticks, [100, 200, 300], 'no tick after stop')
  const ticks2: number[] = []
  const stop2 = every(clock, 10, () => { ticks2.push(clock.now()); if (ticks2.length === 2) stop2() })
  clock.advance(100)
  t.deepEqual(ticks2, [1360, 1370], 'stopped from inside its own tick')
  t.end()
})
