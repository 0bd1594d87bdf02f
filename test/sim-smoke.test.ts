// Smoke test of the internet-scale simulator (bench/sim.ts) at a tiny size:
// a 30-member room forms, idles, takes in a newcomer, chats and loses a
// fifth of its members in virtual time; its figures must be sane. And the latency link itself: frames
// arrive after the link's delay, in order even when some are retransmitted;
// and the idle window's cap for big rooms (SIM_IDLE_MAX_S).
import test from 'tape'
import { runSimScenario, simPlan } from '../bench/sim'
import { classify, NetCounters, simLinkPair, type LatencyModel } from '../bench/sim-link'
import { VirtualClock } from '../bench/virtual-clock'
import { seededRandom } from '../bench/prng'
import { FrameType } from '../lib/protocol/frames'
import { execFile } from 'child_process'
import { promisify } from 'util'
import path from 'path'
import { MessageKind } from '../lib/protocol/envelope'

const TIMEOUT_MS = 10_000
const run = promisify(execFile)

test('sim link: frames arrive after the delay, in order, retransmissions holding back later ones', (t) => {
  const clock = new VirtualClock(0)
  // Every other frame (by the seeded draw) is "lost" once: it comes an RTO late and the frames behind it wait.
  const latency: LatencyModel = { delayMinMs: 50, delayMaxMs: 50, jitterMs: 10, loss: 0.5, rtoMs: 200 }
  const counters = new NetCounters(2)
  const env = { clock, random: seededRandom(7), latency, counters }
  const [a, b] = simLinkPair(env, { key: Buffer.alloc(32, 1), index: 0 }, { key: Buffer.alloc(32, 2), index: 1 })
  const got: Array<{ seq: number; at: number }> = []
  b.on('frame', (f: Buffer) => got.push({ seq: f[1], at: clock.now() }))
  for (let i = 0; i < 20; i++) a.send(Buffer.from([FrameType.PING, i]))
  clock.advance(49)
  t.equal(got.length, 0, 'nothing before the one-way delay')
  clock.advance(1000)
  t.deepEqual(got.map(g => g.seq), Array.from({ length: 20 }, (_, i) => i), 'all 20 arrived, in the order sent')
  t.ok(got.every((g, i) => i === 0 || g.at >= got[i - 1].at), 'arrival times never go back')
  t.ok(got[got.length - 1].at >= 250, `a retransmitted frame held the last one back (arrived at ${got[got.length - 1].at} ms)`)
  t.equal(counters.frames, 20, 'every frame counted')
  t.deepEqual([counters.nodeBytes[0], counters.nodeBytes[1]], [40, 0], 'bytes counted for the sending node only')
  t.equal(classify(Buffer.from([FrameType.FLOOD, 1, MessageKind.PRESENCE])), 'presence', 'a presence FLOOD is told apart')
  t.equal(classify(Buffer.from([42])), 'type-42', 'an unknown frame type is still counted, under its number')
  t.end()
})

const SMOKE_PLAN = { sizes: [30], degree: 4, latency: { delayMinMs: 10, delayMaxMs: 80, jitterMs: 5, loss: 0.01, rtoMs: 200 } }

test('sim smoke: a 30-member room delivers everything once and its costs are counted; a second run of the seed repeats every figure', async (t) => {
  t.timeoutAfter(TIMEOUT_MS)
  const r = await runSimScenario(30, SMOKE_PLAN)
  t.equal(r.chat.messages, 20, '4 senders x 5 messages')
  t.equal(r.chat.expected, 20 * 30, 'each message expected at the 30 other members (the newcomer among them)')
  t.equal(r.chat.deliveryRatio, 1, 'delivered 100%')
  t.equal(r.chat.duplicates, 0, 'no id delivered twice to a node')
  t.ok(r.chat.copiesPerDelivery >= 1, `chat copies counted: ${r.chat.copiesPerDelivery} per delivery`)
  t.ok(r.chat.latencyP50Ms >= 10, `latency is virtual link delay: p50 ${r.chat.latencyP50Ms} ms`)
  t.ok(r.idle.bytesPerSecPerNode > 0 && (r.idle.byClass.presence ?? 0) > 0, `idle bytes counted: ${r.idle.bytesPerSecPerNode} B/s per node, presence among them`)
  t.equal(r.idle.whoComplete, 1, 'every /who lists the whole room')
  t.equal(r.churn.killed, 6, 'a fifth of the room killed')
  t.equal(r.churn.expected <= 20 * 24, true, 'churn deliveries expected only at survivors')
  t.equal(r.churn.withinTtlRatio, 1, 'every survivor within the hop limit of a sender got its messages after the kill')
  t.equal(r.join.members, 31, 'a newcomer joined')
  t.ok(r.join.newcomerListsAllS > 0 && r.join.newcomerListsAllS <= 3, `the newcomer listed all 31 after ${r.join.newcomerListsAllS} virtual s`)
  t.ok(r.join.roomListsNewcomerS > 0 && r.join.roomListsNewcomerS <= 3, `every member listed it after ${r.join.roomListsNewcomerS} virtual s`)
  t.ok(r.verify.checks > 0 && r.verify.reused > r.verify.checks, 'the shared signature check was used and reused')
  // Seeded keys and a fixed virtual epoch (SIM_EPOCH_MS): only wall time and the process heap may differ.
  const again = await runSimScenario(30, SMOKE_PLAN)
  const figures = (x: typeof r) => ({ ...x, wallS: 0, heapPerNodeKiB: 0 })
  t.deepEqual(figures(again), figures(r), 'the same figures from a second run')
})

// In a process of its own: this one has run other tests, whose memory freed
// while the room ran could outweigh a 30-member room's (it read -17 bytes
// per member once).
test('sim: heap per member per node, measured in a process of its own, extrapolates the 10,000-member room', async (t) => {
  t.timeoutAfter(TIMEOUT_MS * 3)
  const script = `const { runSimScenario } = require('./bench/sim'); const { simGrowth, simScaleNote } = require('./bench/sim-report');
    runSimScenario(30, ${JSON.stringify(SMOKE_PLAN)}).then(r => { const [g] = simGrowth([r]); process.stdout.write(JSON.stringify({ r: r.heapPerNodeKiB, g: g.heapPerMemberB, note: simScaleNote([g]) })) })`
  const { stdout } = await run(process.execPath, ['-r', 'ts-node/register', '-e', script], { cwd: path.join(__dirname, '..') })
  const { r, g, note } = JSON.parse(stdout) as { r: number; g: number; note?: string }
  t.ok(g > 0 && Math.abs(g * 30 / 1024 - r) < 1, `heap per member per node: ${g} bytes (${r} KiB per node)`)
  t.ok(/10000 members .* about \d+ GiB/.test(note ?? ''), `the 10,000-member room is extrapolated, and says so: ${note}`)
})

test('sim: SIM_IDLE_MAX_S caps the idle warm-up and window, and the result says how long it measured', async (t) => {
  t.timeoutAfter(TIMEOUT_MS)
  t.equal(simPlan(false, '20,100', '600').idleCapMs, 600_000, 'SIM_IDLE_MAX_S=600 caps at 600 virtual s')
  t.equal(simPlan(false, '20,100', undefined).idleCapMs, undefined, 'unset: no cap')
  t.equal(simPlan(false, '20,100', '5').idleCapMs, undefined, 'a cap under a minute is ignored (it would measure no announcement)')
  const full = await runSimScenario(30, SMOKE_PLAN)
  const capped = await runSimScenario(30, { ...SMOKE_PLAN, idleCapMs: 60_000 })
  t.ok(full.idle.windowS > 60, `uncapped: the window is one presence interval (${full.idle.windowS} s)`)
  t.equal(capped.idle.windowS, 60, 'capped: 60 virtual s')
  t.ok(capped.idle.bytesPerSecPerNode > 0 && (capped.idle.byClass.presence ?? 0) > 0, `the capped window still counts presence (${capped.idle.bytesPerSecPerNode} B/s per node)`)
})
