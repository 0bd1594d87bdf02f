// Flooding on in-memory links, many nodes in one process.
import test from 'tape'
import { MemMesh, randomGraph, seeded } from './helpers/mesh'

type Edges = Array<[number, number]>

function degrees (n: number, edges: Edges): number[] {
  const d = new Array(n).fill(0)
  for (const [a, b] of edges) { d[a]++; d[b]++ }
  return d
}

async function floodCheck (t: test.Test, name: string, n: number, edges: Edges, senders: number[]): Promise<void> {
  // Presence off: a relay introduces at most DEFAULT_NEW_AUTHORS_BURST authors at once, so 40 nodes' announcements would
  // hold chat from authors not yet met for seconds (held, not lost); this test is about the flood itself.
  const mesh = new MemMesh(n, { ttl: 255, timing: { tickMs: 50, presenceIntervalMs: 0 } })
  t.teardown(() => mesh.close())
  for (const [a, b] of edges) mesh.connect(a, b)
  const d = degrees(n, edges)
  await mesh.settled(i => d[i])
  for (const s of senders) mesh.nodes[s].send(`hello from ${s}`)
  const expected = senders.length
  const done = await mesh.until(() => mesh.received.every((inbox, i) => inbox.length >= expected - (senders.includes(i) ? 1 : 0)))
  t.ok(done, `${name}: every node received every message`)
  // Every link carries a later marker before counting, so a stray duplicate would be in by now.
  await mesh.drain()
  let dupes = 0
  let echoes = 0
  mesh.received.forEach((inbox, i) => {
    const ids = inbox.map(m => m.id)
    dupes += ids.length - new Set(ids).size
    echoes += inbox.filter(m => m.from === mesh.nodes[i].id).length
  })
  t.equal(dupes, 0, `${name}: no node delivered a message twice`)
  t.equal(echoes, 0, `${name}: no node got its own message back`)
}

test('flood: line, ring, star, full mesh, random graphs', async (t) => {
  t.timeoutAfter(30_000)
  const line: Edges = Array.from({ length: 9 }, (_, i) => [i, i + 1] as [number, number])
  await floodCheck(t, 'line of 10', 10, line, [0, 9, 5])
  const ring: Edges = Array.from({ length: 8 }, (_, i) => [i, (i + 1) % 8] as [number, number])
  await floodCheck(t, 'ring of 8', 8, ring, [0, 3])
  const star: Edges = Array.from({ length: 7 }, (_, i) => [0, i + 1] as [number, number])
  await floodCheck(t, 'star of 8', 8, star, [0, 4])
  const full: Edges = []
  for (let a = 0; a < 6; a++) for (let b = a + 1; b < 6; b++) full.push([a, b])
  await floodCheck(t, 'full mesh of 6', 6, full, [0, 1, 2, 3, 4, 5])
  await floodCheck(t, 'random 40 nodes degree 4', 40, randomGraph(40, 4, seeded(7)), [0, 13, 39])
})

test('flood: hop limit stops a message after ttl hops', async (t) => {
  t.timeoutAfter(10_000)
  const mesh = new MemMesh(6, { ttl: 3 })
  t.teardown(() => mesh.close())
  for (let i = 0; i < 5; i++) mesh.connect(i, i + 1)
  await mesh.settled(i => (i === 0 || i === 5 ? 1 : 2))
  mesh.nodes[0].send('short range')
  t.ok(await mesh.until(() => mesh.received[3].length === 1), 'node 3 hops away receives it')
  t.equal(mesh.received[3][0].hops, 3, 'it arrives with hops = 3')
  await mesh.drain()
  const got = (i: number) => mesh.received[i].filter(m => m.text === 'short range').length
  t.equal(got(4), 0, 'node 4 hops away does not')
  t.equal(got(5), 0, 'node 5 hops away does not')
  t.ok(mesh.received[4].some(m => m.text === 'drain 0 3'), 'though a later message from its neighbour did arrive')
})

test('flood: hops count links traversed; own message event has hops 0', async (t) => {
  t.timeoutAfter(10_000)
  const mesh = new MemMesh(3)
  t.teardown(() => mesh.close())
  mesh.connect(0, 1)
  mesh.connect(1, 2)
  await mesh.settled(i => (i === 1 ? 2 : 1))
  const own: any[] = []
  mesh.nodes[0].on('message', m => { if (m.self) own.push(m) })
  mesh.nodes[0].send('count me')
  t.ok(await mesh.until(() => mesh.received[2].length === 1))
  t.equal(own.length, 1, 'sender gets exactly one self event')
  t.equal(own[0].hops, 0, 'self event has hops 0')
  t.equal(mesh.received[1][0].hops, 1, 'neighbour sees hops 1')
  t.equal(mesh.received[2][0].hops, 2, 'two links away sees hops 2')
  t.equal(mesh.received[2][0].id, own[0].id, 'same id everywhere')
})
