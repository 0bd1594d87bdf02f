// The re-offer after learning from a sync answer waits for answers to go
// quiet (REOFFER_QUIET_MS), but not past REOFFER_MAX_WAIT_MS, and skips the
// links it learnt from. On the core's manual clock.
import test from 'tape'
import { Reoffers, REOFFER_QUIET_MS, REOFFER_MAX_WAIT_MS } from '../lib/core/answer-window'
import { ManualClock } from '../lib/core/clock'
import type { LinkSession } from '../lib/core/link-session'

function sessions (n: number): LinkSession[] {
  return Array.from({ length: n }, () => ({ established: true, link: { closed: false }, hello: { rooms: ['lobby'] } }) as unknown as LinkSession)
}

test('a re-offer goes out REOFFER_QUIET_MS after the last thing learnt, to the links nothing was learnt from', (t) => {
  const clock = new ManualClock()
  const links = sessions(3)
  const offered: LinkSession[] = []
  const r = new Reoffers(() => links, s => offered.push(s), clock)
  r.schedule('lobby', links[0])
  clock.advance(REOFFER_QUIET_MS - 50)
  r.schedule('lobby', links[1])
  clock.advance(REOFFER_QUIET_MS - 50)
  t.deepEqual(offered, [], 'not while answers keep coming')
  clock.advance(50)
  t.deepEqual(offered, [links[2]], 'once quiet: only the link nothing was learnt from')
  t.end()
})

test(`learning without pause still re-offers by REOFFER_MAX_WAIT_MS (${REOFFER_MAX_WAIT_MS} ms)`, (t) => {
  const clock = new ManualClock()
  const links = sessions(2)
  const at: number[] = []
  const start = clock.now()
  const r = new Reoffers(() => links, () => at.push(clock.now() - start), clock)
  for (let ms = 0; ms < 2 * REOFFER_MAX_WAIT_MS; ms += REOFFER_QUIET_MS / 2) {
    r.schedule('lobby', links[0])
    clock.advance(REOFFER_QUIET_MS / 2)
  }
  t.equal(at[0], REOFFER_MAX_WAIT_MS, `the first re-offer at ${at[0]} ms`)
  t.equal(at.length, 2, 'and one more each REOFFER_MAX_WAIT_MS while it goes on')
  t.end()
})
