// Smoke test of the benchmark's in-memory parts on tiny sizes: the figures
// must be sane (full delivery, at least one transmission per delivery, a
// bounded seen cache). No timing assertions: speed is for `npm run bench`.
import test from 'tape'
import { lineScenario, paced, randomScenario, runMeshScenario } from '../bench/mesh-scenarios'
import { runSoak } from '../bench/soak'
import { encodeLine, parseLine } from '../bench/fanout-lines'
import { quantile } from '../bench/stats'

const TIMEOUT_MS = 60_000

test('bench smoke: random graph floods to every node', async (t) => {
  t.timeoutAfter(TIMEOUT_MS)
  const r = await runMeshScenario(randomScenario(12, 4, paced(2, 5, 50)))
  t.equal(r.messages, 10, 'all messages sent')
  t.equal(r.expected, 10 * 11, 'every other node expected each message')
  t.equal(r.delivered, r.expected, 'delivered everything')
  t.equal(r.deliveryRatio, 1, '100% delivery')
  t.equal(r.duplicateDeliveries, 0, 'no message delivered twice to a node')
  t.ok(r.copiesPerDelivery >= 1, `copies per delivery ${r.copiesPerDelivery} >= 1`)
  t.ok(r.copiesPerDelivery <= 4, `copies per delivery ${r.copiesPerDelivery} <= degree`)
  t.ok(r.bytesPerDelivery > 100, 'bytes per delivery covers the 100-byte text')
  t.ok(r.cpuMsPerDelivery > 0, 'cpu per delivery measured')
  t.ok(Number.isFinite(r.latencyP50Ms) && r.latencyP99Ms >= r.latencyP50Ms, 'latency percentiles ordered')
  t.ok(r.heapPerNodeAfterKiB > 0, 'memory per node measured')
})

test('bench smoke: a line forwards each message exactly once per hop', async (t) => {
  t.timeoutAfter(TIMEOUT_MS)
  const r = await runMeshScenario(lineScenario(5, 5, 50))
  t.equal(r.ttl, 8, 'default hop limit covers 5 hops')
  t.equal(r.deliveryRatio, 1, '100% delivery to the far end')
  t.equal(r.copiesPerDelivery, 1, 'one transmission per delivery on a line')
})

test('bench smoke: seen cache stays bounded under a flood', async (t) => {
  t.timeoutAfter(TIMEOUT_MS)
  const r = await runSoak({ messages: 2000, sampleEvery: 500, maxMs: 30_000, seenMaxSize: 300 })
  t.equal(r.sent, 2000, 'all sent')
  t.equal(r.delivered, 2000, 'all delivered')
  t.equal(r.samples.length, 5, 'sampled at 0 and every 500')
  const seen = r.samples.map(s => s.seenEntries)
  t.ok(Math.max(...seen) <= 300, `seen cache never above its bound (max ${Math.max(...seen)})`)
})

test('bench smoke: fan-out lines survive a prefix and catch corruption', (t) => {
  const line = encodeLine(3, 42, 123456).trimEnd()
  t.deepEqual(parseLine(`<127.0.0.1> ${line}`), { kind: 'data', sender: 3, seq: 42, sentAtUs: 123456 }, 'parsed behind a classic prefix')
  t.deepEqual(parseLine(`guest-1 via gw#3fa2: ${line}\r`), { kind: 'data', sender: 3, seq: 42, sentAtUs: 123456 }, 'parsed behind a gateway prefix')
  t.equal(parseLine(line.slice(0, 50) + '<127.0.0.1> ' + line.slice(50)).kind, 'corrupt', 'a prefix inside the line is corruption')
  t.equal(parseLine(line.replace('|42|', '|43|')).kind, 'corrupt', 'a changed field fails the checksum')
  t.equal(parseLine('Welcome to this chatroom!').kind, 'other', 'server chatter is not data')
  t.equal(quantile([5, 1, 3, 2, 4], 0.5), 3, 'median')
  t.end()
})
