// Joining a room shows its recent conversation once (issue 13, item 2), now
// with room overlays: a node between two members that is not in their room
// carries none of it, and gets it by history sync when it joins. Real
// processes on loopback: a and c are in #rust, b between them only in
// #lobby; no peer exchange, so a and c do not link directly.
import test from 'tape'
import { Cluster } from './helpers/proc'

test('/join shows the recent conversation once, from history, on a node that did not carry the room', async (t) => {
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
  a.send('/room lobby')
  await a.waitFor(e => e.event === 'room' && e.room === 'lobby', 5000, 'a back in #lobby')
  // A later #lobby line over the same links: b relays it, so anything of #rust b relayed would be at c before it.
  a.send('lobby marker')
  await cc.waitMessage('lobby marker')
  t.notOk(cc.events.some(e => e.event === 'message' && e.text === 'crab talk'), 'b, not in #rust, did not carry it to c')
  b.send('/join rust')
  const got = await b.waitMessage('crab talk', 10_000)
  t.equal(got.history, true, 'after /join, b shows it marked as history')
  const atC = await cc.waitMessage('crab talk', 10_000)
  t.equal(atC.history, true, 'and passes it on to c by sync')
  a.send('/room rust')
  await a.waitFor(e => e.event === 'room' && e.room === 'rust', 5000, 'a in #rust again')
  a.send('after the join')
  t.equal((await cc.waitMessage('after the join')).hops, 2, 'now #rust reaches c live through b')
  t.equal(b.events.filter(e => e.event === 'message' && e.text === 'crab talk').length, 1, 'b showed it once, even with two neighbours offering it')
})
