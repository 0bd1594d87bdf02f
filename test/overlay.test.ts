// Room overlays on in-process memory links: a room's traffic travels only
// between members, members a non-member separates link directly, and private
// messages still cross non-members.
import test from 'tape'
import { MemMesh, randomGraph, seeded } from './helpers/mesh'
import { decodeFlood, MessageKind } from '../lib/protocol/envelope'
import { FrameType } from '../lib/protocol/frames'
import type { MemoryLink } from '../lib/transport/memory'

type Edges = Array<[number, number]>

/** Counts, per receiving node, FLOOD frames of room messages (chat, action, guest chat, presence) by room. */
function roomFrames (mesh: MemMesh): Array<Map<string, number>> & { stop: () => void; tap: () => void } {
  const counts = mesh.nodes.map(() => new Map<string, number>())
  const tapped = new Set<MemoryLink>()
  const tap = () => {
    for (const { end, owner } of mesh.linkEnds) {
      if (tapped.has(end)) continue
      tapped.add(end)
      end.on('frame', (f: Buffer) => {
        if (f[0] !== FrameType.FLOOD) return
        const m = decodeFlood(f)
        if (m.kind === MessageKind.PRIVATE || m.kind === MessageKind.ACK) return
        counts[owner].set(m.room, (counts[owner].get(m.room) ?? 0) + 1)
      })
    }
  }
  tap()
  // Links dialled later are tapped as they appear.
  const timer = setInterval(tap, 5)
  return Object.assign(counts, { stop: () => clearInterval(timer), tap })
}

test('overlay: A and C in #go, B only in #lobby, chain A-B-C: A and C link, B carries none of #go', async (t) => {
  t.timeoutAfter(20_000)
  const rooms = [['go'], ['lobby'], ['go']]
  const mesh = new MemMesh(3, { pex: true, minLinks: 0 }, i => ({ rooms: rooms[i] }))
  const counts = roomFrames(mesh)
  t.teardown(() => { counts.stop(); return mesh.close() })
  mesh.enableDialing()
  mesh.connect(0, 1)
  mesh.connect(1, 2)
  const [a, b, c] = mesh.nodes
  t.ok(await mesh.until(() => a.isUp(c.id) && c.isUp(a.id), 10_000), 'A and C linked directly (B told each of the other)')
  // Their new link tapped now, not by the next turn of the 5 ms timer, which a loaded machine can run after the messages below crossed it.
  counts.tap()
  c.send('go from C', { room: 'go' })
  t.ok(await mesh.until(() => mesh.received[0].some(m => m.text === 'go from C')), 'C\'s #go message reaches A')
  a.send('go from A', { room: 'go' })
  t.ok(await mesh.until(() => mesh.received[2].some(m => m.text === 'go from A')), 'and A\'s reaches C')
  // Markers after everything above, over both of B's links: private messages flood everywhere.
  c.sendPrivate(b.id, 'marker from C')
  a.sendPrivate(b.id, 'marker from A')
  t.ok(await mesh.until(() => ['marker from C', 'marker from A'].every(x => mesh.received[1].some(m => m.text === x))), 'B got both later markers')
  t.equal(counts[1].get('go') ?? 0, 0, 'B received no #go frame on any link (chat or presence)')
  t.ok((counts[0].get('go') ?? 0) > 0 && (counts[2].get('go') ?? 0) > 0, 'A and C did receive #go frames')
  t.equal(mesh.received[0].filter(m => m.text === 'go from C').length, 1, 'A delivered C\'s message once')
  t.equal(mesh.received[2].filter(m => m.text === 'go from A').length, 1, 'C delivered A\'s message once')
})

test('overlay: in a random graph whose rooms are connected through members, no node receives a frame of a room it is not in', async (t) => {
  t.timeoutAfter(30_000)
  const random = seeded(14)
  const n = 18
  // Nodes 0-7 in #go, 8-15 in #lobby, 16-17 in both; each room's members form a connected random graph, plus cross links.
  const roomsOf = (i: number) => i < 8 ? ['go'] : i < 16 ? ['lobby'] : ['go', 'lobby']
  const go = [0, 1, 2, 3, 4, 5, 6, 7, 16, 17]
  const lobby = [8, 9, 10, 11, 12, 13, 14, 15, 16, 17]
  const edges = new Map<string, [number, number]>()
  const add = (a: number, b: number) => { if (a !== b) edges.set(a < b ? `${a}-${b}` : `${b}-${a}`, [a, b]) }
  for (const members of [go, lobby]) for (const [a, b] of randomGraph(members.length, 3, random)) add(members[a], members[b])
  for (let k = 0; k < 10; k++) add(Math.floor(random() * 8), 8 + Math.floor(random() * 8))
  const list: Edges = [...edges.values()]
  const mesh = new MemMesh(n, { ttl: 255 }, i => ({ rooms: roomsOf(i) }))
  const counts = roomFrames(mesh)
  t.teardown(() => { counts.stop(); return mesh.close() })
  for (const [a, b] of list) mesh.connect(a, b)
  const deg = new Array(n).fill(0)
  for (const [a, b] of list) { deg[a]++; deg[b]++ }
  await mesh.settled(i => deg[i])
  for (const i of [0, 5, 16]) mesh.nodes[i].send(`go ${i}`, { room: 'go' })
  for (const i of [8, 12, 17]) mesh.nodes[i].send(`lobby ${i}`, { room: 'lobby' })
  const want = (i: number) => [...(roomsOf(i).includes('go') ? [0, 5, 16].map(x => `go ${x}`) : []), ...(roomsOf(i).includes('lobby') ? [8, 12, 17].map(x => `lobby ${x}`) : [])]
    .filter(x => !x.endsWith(` ${i}`))
  t.ok(await mesh.until(() => mesh.nodes.every((_, i) => want(i).every(x => mesh.received[i].some(m => m.text === x)))), 'every member received every message of its rooms')
  await mesh.drain()
  const strays = mesh.nodes.map((_, i) => [...counts[i].keys()].filter(r => !roomsOf(i).includes(r)).length).reduce((x, y) => x + y, 0)
  t.equal(strays, 0, 'no node received a frame of a room it is not in')
  t.ok(mesh.nodes.every((_, i) => roomsOf(i).every(r => (counts[i].get(r) ?? 0) > 0)), 'every node received frames of its own rooms')
  const dupes = mesh.received.map(inbox => inbox.length - new Set(inbox.map(m => m.id)).size).reduce((x, y) => x + y, 0)
  t.equal(dupes, 0, 'every message delivered once')
})

test('overlay: private messages cross a non-member; a room reaches a node once it joins', async (t) => {
  t.timeoutAfter(15_000)
  // A(go) - B(lobby) - C(go), and A - D(go) - C: #go reaches C through D, so A knows C (presence) but #go never crosses B.
  const rooms = [['go'], ['lobby'], ['go'], ['go']]
  const mesh = new MemMesh(4, {}, i => ({ rooms: rooms[i] }))
  const counts = roomFrames(mesh)
  let privateAtB = 0
  t.teardown(() => { counts.stop(); return mesh.close() })
  for (const [x, y] of [[0, 1], [1, 2], [0, 3], [3, 2]]) {
    const [ex, ey] = mesh.connect(x, y)
    for (const end of (x === 1 ? [ex] : y === 1 ? [ey] : [])) {
      end.on('frame', (f: Buffer) => { if (f[0] === FrameType.FLOOD && decodeFlood(f).kind === MessageKind.PRIVATE) privateAtB++ })
    }
  }
  await mesh.settled(() => 2)
  const [a, b, c] = mesh.nodes
  t.ok(await mesh.until(() => a.who('go').some(m => m.peer === c.id)), 'A hears C in #go through D')
  a.sendPrivate(c.id, 'psst')
  t.ok(await mesh.until(() => mesh.received[2].some(m => m.text === 'psst' && m.private)), 'C reads A\'s private message')
  t.ok(await mesh.until(() => privateAtB > 0), 'and the private message also flooded through B, which is in no room of theirs')
  t.equal(counts[1].get('go') ?? 0, 0, 'while B received no #go frame')
  b.join('go')
  t.ok(await mesh.until(() => a.who('go').some(m => m.peer === b.id)), 'B joins #go and A hears it')
  c.send('go from C', { room: 'go' })
  t.ok(await mesh.until(() => mesh.received[1].some(m => m.text === 'go from C')), 'once B is in #go, #go reaches it (its ROOMS frame updated its links)')
})

test('overlay: a member already heard through members is not dialled; one that is not, is', async (t) => {
  t.timeoutAfter(20_000)
  // A(go) - B(lobby) - C(go), A - D(go) - C, and E(go) linked only to B. B tells A of C and E, and E of A and C.
  const rooms = [['go'], ['lobby'], ['go'], ['go'], ['go']]
  const mesh = new MemMesh(5, { pex: true, minLinks: 0 }, i => ({ rooms: rooms[i] }))
  t.teardown(() => mesh.close())
  mesh.enableDialing()
  for (const [x, y] of [[0, 3], [3, 2], [0, 1], [1, 2], [1, 4]]) mesh.connect(x, y)
  const [a, , c, , e] = mesh.nodes
  t.ok(await mesh.until(() => a.who('go').some(m => m.peer === e.id) && e.who('go').some(m => m.peer === a.id), 10_000), 'E, cut off from #go, linked in: A and E hear each other in #go')
  t.ok(e.peers().length >= 2, 'E dialled or was dialled by a #go member')
  t.notOk(a.isUp(c.id) || c.isUp(a.id), 'A and C, who hear each other through D, did not link')
})
