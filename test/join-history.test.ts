// A node that relayed a room's messages before joining it still shows them
// when it joins (issue 13, item 2): seen ids are not delivered ids. Real
// processes on loopback: a and c are in #rust, b between them only in #lobby.
import test from 'tape'
import { Cluster } from './helpers/proc'

test('/join shows the recent conversation once, on a node that relayed the room before', async (t) => {
  t.timeoutAfter(30_000)
  const c = new Cluster(t)
  const b = await c.start({ name: 'b', args: ['--no-pex'] })
  const a = await c.start({ name: 'a', args: ['--room', 'lobby', '--room', 'rust', '--peer', b.listen, '--no-pex'] })
  const cc = await c.start({ name: 'c', args: ['--room', 'lobby', '--room', 'rust', '--peer', b.listen, '--no-pex'] })
  await b.waitPeerUp(a.id)
  await b.waitPeerUp(cc.id)
  a.send('/room rust')
  await a.waitFor(e => e.event === 'room' && e.room === 'rust', 5000, 'a in #rust')
  a.send('crab talk')
  // c gets it only through b, so b has relayed (and seen) it.
  t.equal((await cc.waitMessage('crab talk')).hops, 2, 'c got it through b, two hops')
  t.notOk(b.events.some(e => e.event === 'message' && e.text === 'crab talk'), 'b relayed it without showing it')
  b.send('/join rust')
  const got = await b.waitMessage('crab talk', 10_000)
  t.equal(got.history, true, 'after /join, b shows it marked as history')
  a.send('after the join')
  await b.waitMessage('after the join')
  t.equal(b.events.filter(e => e.event === 'message' && e.text === 'crab talk').length, 1, 'once, even with two neighbours offering it')
})
