// Room overlays between real processes on 127.0.0.1: two members of #go that
// only a #lobby node connects link directly and talk without it.
import test from 'tape'
import { Cluster } from './helpers/proc'

test('overlay: A and C in #go reach each other through B in #lobby only by linking directly', async (t) => {
  t.timeoutAfter(30_000)
  const c = new Cluster(t)
  // --min-links 1: peer exchange alone would not dial (each end already has its one link).
  const a = await c.start({ name: 'a', args: ['--room', 'go', '--min-links', '1'] })
  const b = await c.start({ name: 'b', args: ['--room', 'lobby', '--min-links', '1', '--peer', a.listen] })
  await b.waitPeerUp(a.id)
  const cc = await c.start({ name: 'c', args: ['--room', 'go', '--min-links', '1', '--peer', b.listen] })
  await cc.waitPeerUp(b.id)
  await a.waitPeerUp(cc.id, 15_000)
  cc.send('go from c')
  const got = await a.waitMessage('go from c')
  t.equal(got.room, 'go', 'C\'s #go line reaches A')
  t.equal(got.hops, 1, 'over their direct link, not through B')
  a.send('go from a')
  t.equal((await cc.waitMessage('go from a')).hops, 1, 'and back')
})
