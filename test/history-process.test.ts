// History as a user meets it: a late joiner catches up, a node with --history
// restarts and still serves what it logged, and a torn log is reported.
import test from 'tape'
import fs from 'fs'
import path from 'path'
import { Cluster, LIFTED_LIMITS, tempDir } from './helpers/proc'

test('a late joiner sees the earlier conversation as history, once', async (t) => {
  t.timeoutAfter(30_000)
  const c = new Cluster(t)
  // With peer exchange, late also links to a; that link's sync answer can bring a's live line ahead of
  // its live copy through b (seen once in CI, before SYNC_RACED_LIVE_MS): it still counts as live.
  const a = await c.start({ name: 'a' })
  const b = await c.start({ name: 'b', args: ['--peer', a.listen] })
  await b.waitPeerUp(a.id)
  for (let i = 0; i < 10; i++) {
    ;(i % 2 ? a : b).send(`before ${i}`)
    await (i % 2 ? b : a).waitMessage(`before ${i}`)
  }
  const late = await c.start({ name: 'late', args: ['--peer', b.listen] })
  await late.waitFor(() => late.messages().length >= 10, 10_000, 'ten history messages')
  const got = late.messages()
  t.deepEqual(got.map(m => m.text), Array.from({ length: 10 }, (_, i) => `before ${i}`), 'all ten, in order')
  t.ok(got.every(m => m.history === true), 'marked history')
  a.send('live after join')
  const live = await late.waitMessage('live after join')
  t.equal(live.history, undefined, 'live message has no history flag')
  t.equal(late.messages().length, 11, 'nothing twice')
})

test('a newcomer linking to two neighbours gets the room\'s history from both and faults neither', async (t) => {
  t.timeoutAfter(30_000)
  const c = new Cluster(t)
  const a = await c.start({ name: 'a', args: ['--no-pex', ...LIFTED_LIMITS] })
  const b = await c.start({ name: 'b', args: ['--peer', a.listen, '--no-pex', ...LIFTED_LIMITS] })
  await b.waitPeerUp(a.id)
  // 300 lines of 1,500 bytes: each answer is several sync frames.
  const N = 300
  for (let i = 0; i < N; i++) a.send(`${i} ${'x'.repeat(1500)}`)
  await b.waitFor(() => b.messages().length === N, 15_000, `b holds all ${N}`)
  const late = await c.start({ name: 'late', args: ['--peer', a.listen, '--peer', b.listen, '--no-pex', ...LIFTED_LIMITS] })
  await late.waitFor(() => late.messages().length === N, 15_000, `late got all ${N}`)
  // Both answers have arrived once late re-offered a neighbour and heard nothing new back: give them the re-offer's quiet time.
  await late.waitFor(e => e.event === 'peer-up' && e.peer === b.id, 5000, 'b up')
  a.send('marker')
  b.send('marker b')
  await late.waitMessage('marker')
  await late.waitMessage('marker b')
  t.deepEqual(late.events.filter(e => e.event === 'error' || e.event === 'peer-down').map(e => e.code ?? e.reason), [], 'no fault and no link down at the newcomer')
  t.equal(late.messages().length, N + 2, 'each message once')
})

test('--history survives a restart and a torn tail is reported, not fatal', async (t) => {
  t.timeoutAfter(30_000)
  const c = new Cluster(t)
  const dataDir = tempDir()
  const keeper = await c.start({ name: 'keeper', dataDir, args: ['--history'] })
  const talker = await c.start({ name: 'talker', args: ['--peer', keeper.listen] })
  await keeper.waitPeerUp(talker.id)
  for (let i = 0; i < 5; i++) talker.send(`kept ${i}`)
  await keeper.waitMessage('kept 4')
  await talker.kill()
  t.equal((await keeper.kill('SIGTERM')).code, 0, 'keeper exits 0')
  // A crash mid-write: half a record at the end of the log.
  const log = path.join(dataDir, 'history.log')
  const before = fs.statSync(log).size
  fs.appendFileSync(log, Buffer.from([0, 0, 1, 0, 9, 9, 9]))
  const keeper2 = await c.start({ name: 'keeper2', dataDir, args: ['--history'] })
  const torn = await keeper2.waitFor(e => e.event === 'error' && e.code === 'HISTORY_TORN', 5000, 'HISTORY_TORN')
  t.ok(/torn record at byte \d+/.test(torn.message), `reported: ${torn.message}`)
  t.equal(fs.statSync(log).size, before, 'torn bytes cut off')
  const fresh = await c.start({ name: 'fresh', args: ['--peer', keeper2.listen] })
  await fresh.waitFor(() => fresh.messages().length >= 5, 10_000, 'five stored messages')
  t.deepEqual(fresh.messages().map(m => m.text), ['kept 0', 'kept 1', 'kept 2', 'kept 3', 'kept 4'], 'restarted node serves its stored history')
  t.ok(fresh.messages().every(m => m.history), 'as history')
})
