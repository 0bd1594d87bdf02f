// The ids lazy push remembers (core/recent-ids.ts): frames kept to answer
// GRAFTs are let go once too old to be served, while their ids stay known
// (before 2026-11-29 a frame stayed until its id expired: in the simulator
// that was a third of the heap of a formed room).
import test from 'tape'
import { ManualClock } from '../lib/core/clock'
import { RecentIds, RECENT_FRAME_MS, MAX_RECENT_FRAME_BYTES } from '../lib/core/recent-ids'

const frame = (n: number) => Buffer.alloc(n, 7)

test('recent ids: a frame past RECENT_FRAME_MS is let go, its id and hops stay known', t => {
  const clock = new ManualClock(0)
  const recent = new RecentIds(1000, 10 * RECENT_FRAME_MS, clock)
  recent.record('aa', 'lobby', 'root', 2, frame(300))
  clock.advance(RECENT_FRAME_MS / 2)
  recent.record('bb', 'lobby', 'root', 3, frame(200))
  t.equal(recent.heldFrameBytes, 500, 'both frames held while young')
  t.ok(recent.frame('aa'), 'a GRAFT is answered within RECENT_FRAME_MS')
  clock.advance(RECENT_FRAME_MS / 2 + 1)
  t.equal(recent.heldFrameBytes, 200, 'the older frame is let go')
  t.equal(recent.frame('aa'), null, 'and no longer served')
  t.equal(recent.get('aa')?.hops, 2, 'its id and hops are still known')
  clock.advance(RECENT_FRAME_MS)
  t.equal(recent.heldFrameBytes, 0, 'the second goes in its turn')
  t.equal(recent.get('bb')?.hops, 3, 'its id is still known')
  t.end()
})

test('recent ids: frame bytes stay under MAX_RECENT_FRAME_BYTES, the oldest going first', t => {
  const clock = new ManualClock(0)
  const recent = new RecentIds(100_000, 10 * RECENT_FRAME_MS, clock)
  const size = 64 * 1024
  const count = Math.ceil(MAX_RECENT_FRAME_BYTES / size) + 10
  for (let i = 0; i < count; i++) recent.record(`id${i}`, 'lobby', 'root', 1, frame(size))
  t.ok(recent.heldFrameBytes <= MAX_RECENT_FRAME_BYTES, `held ${recent.heldFrameBytes} bytes`)
  t.equal(recent.frame('id0'), null, 'the oldest frame went first')
  t.ok(recent.frame(`id${count - 1}`), 'the newest is kept')
  t.end()
})

test('recent ids: a frame replaced later lives from its replacement, and is counted once', t => {
  const clock = new ManualClock(0)
  const recent = new RecentIds(1000, 10 * RECENT_FRAME_MS, clock)
  recent.record('aa', 'lobby', 'root', 4, frame(300))
  clock.advance(RECENT_FRAME_MS / 2)
  recent.record('aa', 'lobby', 'root', 2, frame(100)) // a shorter copy, forwarded again
  t.equal(recent.heldFrameBytes, 100, 'only the newer frame is counted')
  clock.advance(RECENT_FRAME_MS / 2 + 1)
  t.equal(recent.frame('aa')?.byteLength, 100, 'still served: it is younger than RECENT_FRAME_MS')
  t.equal(recent.heldFrameBytes, 100, 'and still held')
  clock.advance(RECENT_FRAME_MS / 2)
  t.equal(recent.heldFrameBytes, 0, 'let go once it is stale itself')
  t.end()
})
