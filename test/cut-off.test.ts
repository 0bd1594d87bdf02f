// A room this node has no link into (core/cut-off.ts): after roomCutOffMs its
// members are dropped, each as timed out, instead of staying until their own
// timeouts (hours in a big room); a link back lists them again.
import test from 'tape'
import { CutOff, ROOM_CUT_OFF_MS } from '../lib/core/cut-off'
import { DEFAULT_TIMING } from '../lib/core/options'
import type { PresenceChange } from '../lib/core/types'
import { MemMesh } from './helpers/mesh'
import { Cluster, FAST_TIMING, type Proc } from './helpers/proc'

test('cut off: a room is due once it has had no link into it for the time given; a link resets it', (t) => {
  const linked = new Set<string>(['lobby'])
  const c = new CutOff(room => linked.has(room), 1000)
  t.deepEqual(c.due(['lobby', 'dev'], 0), [], 'dev: no link since now')
  t.deepEqual(c.due(['lobby', 'dev'], 999), [], 'not yet')
  t.deepEqual(c.due(['lobby', 'dev'], 1000), ['dev'], 'dev after 1000 ms without a link')
  linked.add('dev')
  t.deepEqual(c.due(['lobby', 'dev'], 1500), [], 'a link into it resets it')
  linked.delete('dev')
  t.deepEqual(c.due(['lobby', 'dev'], 2000), [], 'and the time starts again')
  t.deepEqual(c.due(['lobby', 'dev'], 3000), ['dev'], 'due again 1000 ms after the link went')
  t.equal(DEFAULT_TIMING.roomCutOffMs, ROOM_CUT_OFF_MS, 'the default')
  t.end()
})

test('cut off: a node whose last link into a room went drops the room\'s members after roomCutOffMs (their timeouts are far off), and lists them again when it links back', async (t) => {
  t.timeoutAfter(15_000)
  const CUT_MS = 400
  const mesh = new MemMesh(5, { timing: { tickMs: 20, presenceIntervalMs: 30_000, presenceTimeoutMs: 75_000, roomCutOffMs: CUT_MS } })
  t.teardown(() => mesh.close())
  const [alice, bob] = mesh.nodes
  for (const i of [2, 3, 4]) mesh.connect(1, i)
  mesh.enableDialing()
  await alice.dial(bob.listenAddress)
  t.ok(await mesh.until(() => alice.who('lobby').length === 5), 'alice lists all five')
  const changes: PresenceChange[] = []
  alice.on('presence', (c: PresenceChange) => changes.push(c))
  const cut = Date.now()
  mesh.linkEnds.find(e => e.owner === 0 && e.far === 1)!.end.destroy()
  t.ok(await mesh.until(() => alice.who('lobby').length === 1, 5000), 'alice lists only herself')
  const took = Date.now() - cut
  t.ok(took >= CUT_MS && took < 20_000, `after the cut-off (${took} ms), long before a LOST's 20 s or a 75 s timeout`)
  t.deepEqual(changes.filter(c => c.state === 'leave').map(c => [c.reason, c.room]), [[undefined, 'lobby'], [undefined, 'lobby'], [undefined, 'lobby'], [undefined, 'lobby']], 'four leaves, as timed out')
  t.ok(['n2', 'n3', 'n4'].every(nick => bob.who('lobby').some(m => m.nick === nick)), 'bob, still linked into the room, keeps its members')
  await alice.dial(bob.listenAddress)
  t.ok(await mesh.until(() => alice.who('lobby').length === 5), 'linked back, alice lists them again')
  t.ok(changes.filter(c => c.state === 'join').every(c => c.listed), 'as members already there')
})

test('cut off, real processes: when the middle of a chain is killed, the end lists nobody else within the cut-off, not the 75 s presence timeout', async (t) => {
  t.timeoutAfter(60_000)
  const c = new Cluster(t)
  const timing = { ...FAST_TIMING, presenceIntervalMs: 30_000, presenceTimeoutMs: 75_000, roomCutOffMs: 1000 }
  const ps: Proc[] = []
  for (const name of ['a', 'b', 'c']) ps.push(await c.start({ name, timing, args: ['--no-pex', ...(ps.length ? ['--peer', ps[ps.length - 1].listen] : [])] }))
  const [a, b, far] = ps
  await b.waitPeerUp(a.id)
  await far.waitPeerUp(b.id)
  await a.waitFor(e => e.event === 'presence' && e.state === 'join' && e.peer === far.id, 10_000, 'a lists c')
  const killed = Date.now()
  void b.kill('SIGKILL')
  const left = await a.waitFor(e => e.event === 'presence' && e.state === 'leave' && e.peer === far.id, 10_000, 'c leaves a\'s list')
  t.ok(Date.now() - killed < 10_000, `c was dropped ${Date.now() - killed} ms after b died`)
  t.equal(left.reason, undefined, 'as timed out')
  const n = a.events.length
  a.send('/who')
  const who = await a.waitFor(e => e.event === 'members' && a.events.indexOf(e) >= n, 5000, '/who')
  t.deepEqual(who.members.map((m: { peer: string }) => m.peer), [a.id], '/who lists a alone')
})
