// A reader that stops reading a headless node's stdout (a stalled bot) must
// not grow the node without limit: past --output-queue bytes unread (default
// MAX_OUTPUT_QUEUED_BYTES, 16 MiB) events are dropped, the node says so on
// stderr (OUTPUT_OVERFLOW), keeps relaying, and once the reader has caught up
// a `dropped` event counts what it lost. Real processes on loopback.
import test from 'tape'
import { Cluster, LIFTED_LIMITS } from './helpers/proc'
import { until } from './helpers/raw-peer'

const LINES = 1500
const QUEUE = 64 * 1024

test('headless: a stalled stdout reader costs at most --output-queue bytes; the node keeps relaying and then counts the dropped events', async (t) => {
  t.timeoutAfter(60_000)
  const cluster = new Cluster(t)
  const a = await cluster.start({ name: 'a', args: ['--output-queue', String(QUEUE), '--no-pex', ...LIFTED_LIMITS] })
  const b = await cluster.start({ name: 'b', args: ['--peer', a.listen, '--no-pex', ...LIFTED_LIMITS] })
  const c = await cluster.start({ name: 'c', args: ['--peer', a.listen, '--no-pex', ...LIFTED_LIMITS] })
  await Promise.all([a.waitPeerUp(b.id), a.waitPeerUp(c.id), b.waitPeerUp(a.id), c.waitPeerUp(a.id)])
  a.child.stdout!.pause()
  const text = (i: number) => `flood ${i} ${'x'.repeat(300)}`
  for (let i = 0; i < LINES; i++) b.send(text(i))
  // c hears b only through a, whose stdout nobody reads.
  t.ok(await until(() => c.messages().filter(m => String(m.text).startsWith('flood ')).length === LINES, 30_000), `c got all ${LINES} lines through a while a's reader was stalled`)
  t.ok(a.stderr.some(l => /OUTPUT_OVERFLOW: the reader of stdout is \d+ bytes behind/.test(l)), 'a said on stderr that its reader fell behind')
  a.child.stdout!.resume()
  const dropped = await a.waitFor(e => e.event === 'dropped', 15_000, 'the dropped event')
  const got = a.messages().filter(m => String(m.text).startsWith('flood ')).length
  t.ok(dropped.count > 0 && got < LINES, `a dropped ${dropped.count} events and wrote ${got} of the ${LINES} lines`)
  t.ok(got + dropped.count >= LINES, 'every line it did not write is counted')
  t.notOk(a.events.some(e => e.event === 'non-json'), 'every line written is whole JSON')
  b.send('after the gap')
  t.ok(await a.waitMessage('after the gap', 10_000), 'events flow again')
})
