// Topic joins as a user meets them: real processes of the built bin, a private
// DHT from `meshchat dht` on 127.0.0.1 (never the public DHT), no --peer.
import test from 'tape'
import { Cluster, drainLinks, isDrainMarker, type Proc } from './helpers/proc'
import { freeUdpPort } from './helpers/ports'
import { SWARM_CLOSE_TIMEOUT_MS } from '../lib/transport/swarm'

const NOPEX = ['--no-pex']
/** Refresh the topic often at first: processes that start together must find each other fast. */
const SWARM_TIMING = JSON.stringify({ earlyRefreshMs: 300, earlyRefreshes: 15 })

/** Starts `meshchat dht` and resolves with it and the HOST:PORT of its first stdout line. */
async function startDht (c: Cluster): Promise<{ proc: Proc; address: string }> {
  const proc = c.spawnRaw(['dht', '--listen', '127.0.0.1:0'], 'dht')
  const first = await proc.waitFor(() => true, 10_000, 'the dht address line')
  return { proc, address: first.line ?? String(first) }
}

function topicArgs (topic: string, bootstrap: string): string[] {
  return ['--topic', topic, '--bootstrap', bootstrap, '--swarm-timing', SWARM_TIMING]
}

test('meshchat dht + three --topic nodes, no --peer: every node gets every message once', async (t) => {
  t.timeoutAfter(45_000)
  const c = new Cluster(t)
  const dht = await startDht(c)
  t.match(dht.address, /^127\.0\.0\.1:\d+$/, `dht prints HOST:PORT first (${dht.address})`)
  t.notEqual(dht.address, '127.0.0.1:0', 'the real port, not 0')
  const started = Date.now()
  const nodes = await Promise.all(['a', 'b', 'c'].map(name => c.start({ name, args: [...NOPEX, ...topicArgs('t-three', dht.address)] })))
  for (const p of nodes) {
    t.equal(p.ready.room, 't-three', `${p.name}: --topic is its room`)
    await p.waitFor(e => e.event === 'discovery' && e.topic === 't-three' && e.state === 'joining', 5000, 'discovery joining')
  }
  for (const p of nodes) for (const q of nodes) if (p !== q) await p.waitPeerUp(q.id, 30_000)
  t.ok(Date.now() - started < 30_000, `all linked within 30 s (${Date.now() - started} ms)`)
  for (const p of nodes) {
    t.ok(p.events.some(e => e.event === 'discovery' && e.state === 'joined'), `${p.name} reports joined`)
    t.ok(p.events.filter(e => e.event === 'peer-up').every(e => e.via === 'swarm'), `${p.name}: every link is via swarm`)
  }
  for (const p of nodes) p.send(`hello from ${p.name}`)
  for (const p of nodes) for (const q of nodes) await p.waitMessage(`hello from ${q.name}`, 10_000)
  // Later markers over every link, so a second copy of a hello would be in by now.
  await drainLinks(nodes)
  for (const p of nodes) {
    const ids = p.messages().filter(m => !isDrainMarker(m)).map(m => m.id)
    t.equal(ids.length, 3, `${p.name} has 3 messages`)
    t.equal(new Set(ids).size, 3, `${p.name} saw each once`)
  }
  const exit = await nodes[0].kill('SIGTERM')
  t.equal(exit.code, 0, 'a swarm node exits 0 on SIGTERM (swarm and DHT closed)')
  const dhtExit = await dht.proc.kill('SIGTERM')
  t.equal(dhtExit.code, 0, 'meshchat dht exits 0 on SIGTERM')
})

test('mixed mesh A -tcp- B -swarm- C: messages cross both kinds of link once', async (t) => {
  t.timeoutAfter(45_000)
  const c = new Cluster(t)
  const dht = await startDht(c)
  const a = await c.start({ name: 'a', args: [...NOPEX, '--room', 't-mixed'] })
  const [b, cc] = await Promise.all([
    c.start({ name: 'b', args: [...NOPEX, ...topicArgs('t-mixed', dht.address), '--peer', a.listen] }),
    c.start({ name: 'c', args: [...NOPEX, ...topicArgs('t-mixed', dht.address)] })
  ])
  const ab = await b.waitPeerUp(a.id)
  t.equal(ab.via, 'tcp', 'A and B are linked by TCP')
  const [bc, cb] = await Promise.all([cc.waitPeerUp(b.id, 30_000), b.waitPeerUp(cc.id, 30_000)])
  t.ok(bc.via === 'swarm' && cb.via === 'swarm', 'B and C are linked through the swarm, seen from both ends')
  a.send('from a over tcp then swarm')
  const got = await cc.waitMessage('from a over tcp then swarm', 10_000)
  t.equal(got.hops, 2, 'two hops: A to B by TCP, B to C by swarm')
  cc.send('from c back')
  await a.waitMessage('from c back', 10_000)
  // Later markers both ways over the same path (A-B-C): a second copy would be in before them.
  a.send('marker from a')
  await cc.waitMessage('marker from a', 10_000)
  cc.send('marker from c')
  await a.waitMessage('marker from c', 10_000)
  t.equal(cc.messages('from a over tcp then swarm').length, 1, 'C got A\'s message once')
  t.equal(a.messages('from c back').length, 1, 'A got C\'s message once')
  t.notOk(a.events.some(e => e.event === 'peer-up' && e.peer === cc.id), 'A never linked to C directly')
})

test('a peer reached by TCP and through the swarm keeps one link; messages arrive once', async (t) => {
  t.timeoutAfter(45_000)
  const c = new Cluster(t)
  const dht = await startDht(c)
  const a = await c.start({ name: 'a', args: topicArgs('t-both', dht.address) })
  const b = await c.start({ name: 'b', args: [...topicArgs('t-both', dht.address), '--peer', a.listen] })
  await Promise.all([a.waitPeerUp(b.id), b.waitPeerUp(a.id)])
  // A swarm connection between the two forms too; the node keeps one of the two links.
  const swarmSeen = (p: Proc) => p.waitFor(e => e.event === 'discovery' && e.peers >= 1, 30_000, 'a swarm connection')
  await Promise.all([swarmSeen(a), swarmSeen(b)])
  a.send('once from a')
  b.send('once from b')
  await b.waitMessage('once from a', 10_000)
  await a.waitMessage('once from b', 10_000)
  const [pa, pb] = [await a.askPeers(), await b.askPeers()]
  t.deepEqual(pa.peers.map((p: any) => p.peer), [b.id], 'a lists b once')
  t.deepEqual(pb.peers.map((p: any) => p.peer), [a.id], 'b lists a once')
  // Later markers both ways over the link that is left: a second copy would be in before them.
  a.send('marker from a')
  await b.waitMessage('marker from a', 10_000)
  b.send('marker from b')
  await a.waitMessage('marker from b', 10_000)
  t.equal(b.messages('once from a').length, 1, 'b got a\'s message once')
  t.equal(a.messages('once from b').length, 1, 'a got b\'s message once')
})

test('unreachable bootstrap: DHT_UNREACHABLE with a hint, and direct links keep working', async (t) => {
  t.timeoutAfter(30_000)
  const c = new Cluster(t)
  const dead = `127.0.0.1:${await freeUdpPort()}`
  const b = await c.start({ name: 'b', args: [...NOPEX, '--room', 't-dead'] })
  const a = await c.start({
    name: 'a',
    args: [...NOPEX, '--topic', 't-dead', '--bootstrap', dead, '--peer', b.listen, '--swarm-timing', JSON.stringify({ unreachableMs: 800, retryMs: 500 })]
  })
  const err = await a.waitFor(e => e.event === 'error' && e.code === 'DHT_UNREACHABLE', 10_000, 'DHT_UNREACHABLE')
  t.ok(/--bootstrap/.test(err.message) && /UDP/.test(err.message) && err.message.includes(dead), `the message names the bootstrap and gives a hint: ${err.message}`)
  const d = await a.waitFor(e => e.event === 'discovery' && e.state === 'error', 5000, 'discovery error')
  t.equal(d.topic, 't-dead', 'discovery reports the topic in error')
  await a.waitPeerUp(b.id)
  a.send('still here over tcp')
  const got = await b.waitMessage('still here over tcp')
  t.equal(got.from, a.id, 'the direct link carries messages')
  t.equal(a.events.filter(e => e.code === 'DHT_UNREACHABLE').length, 1, 'reported once, not on every retry')
  const stopping = Date.now()
  const exit = await a.kill('SIGTERM')
  const took = Date.now() - stopping
  t.equal(exit.code, 0, 'exits 0 on SIGTERM with the DHT unreachable')
  // Nothing to unannounce from: no graceful close to wait out (it took 5 s, waiting on an announce that could not finish).
  t.ok(took < SWARM_CLOSE_TIMEOUT_MS, `exited in ${took} ms, under the ${SWARM_CLOSE_TIMEOUT_MS} ms graceful-close deadline`)
})

test('a node on the DHT that /joins a room finds that room\'s peers through the DHT too', async (t) => {
  t.timeoutAfter(45_000)
  const c = new Cluster(t)
  const dht = await startDht(c)
  const a = await c.start({ name: 'a', args: [...NOPEX, ...topicArgs('t-first', dht.address)] })
  const b = await c.start({ name: 'b', args: [...NOPEX, ...topicArgs('t-second', dht.address)] })
  await a.waitFor(e => e.event === 'discovery' && e.topic === 't-first' && e.state === 'joined', 15_000, 'a joined')
  a.send('/join t-second')
  await a.waitFor(e => e.event === 'discovery' && e.topic === 't-second', 10_000, 'a looks up t-second')
  await a.waitPeerUp(b.id, 30_000)
  b.send('found you by room name')
  const got = await a.waitMessage('found you by room name', 10_000)
  t.equal(got.room, 't-second', 'in the joined room')
})
