// Headless output batching (lib/ui/headless.ts): the JSON lines of one tick
// reach the output in one write, in order, before the tick ends; after
// stop() every line is written at once.
import test from 'tape'
import { PassThrough, Writable } from 'stream'
import { Headless } from '../lib/ui/headless'
import { MemMesh } from './helpers/mesh'

/** A Writable that records each write call's text. */
function recorder (): { output: Writable; writes: string[] } {
  const writes: string[] = []
  const output = new Writable({ write (chunk: Buffer, _enc, cb) { writes.push(chunk.toString()); cb() } })
  return { output, writes }
}

const endOfTick = () => new Promise(resolve => setImmediate(resolve))
const parse = (text: string) => text.split('\n').filter(Boolean).map(l => JSON.parse(l) as Record<string, unknown>)

test('headless: the lines of one tick are one write, in order, written before the next tick', async (t) => {
  t.timeoutAfter(5000)
  const mesh = new MemMesh(1)
  t.teardown(() => mesh.close())
  const { output, writes } = recorder()
  const h = new Headless({ node: mesh.nodes[0], input: new PassThrough(), output, onQuit: () => {} })
  h.start()
  for (let i = 0; i < 5; i++) h.write({ event: 'test', i })
  t.equal(writes.length, 0, 'nothing written while the tick runs')
  await endOfTick()
  t.equal(writes.length, 1, 'ready and five lines: one write')
  t.deepEqual(parse(writes[0]).map(e => e.event === 'ready' ? 'ready' : e.i), ['ready', 0, 1, 2, 3, 4], 'in the order they were written, each a whole line')

  h.write({ event: 'test', i: 5 })
  await endOfTick()
  t.deepEqual(writes.slice(1).map(parse), [[{ event: 'test', i: 5 }]], 'a line alone is written by the end of its tick')

  h.write({ event: 'test', i: 6 })
  h.stop()
  t.deepEqual(writes.slice(2).map(parse), [[{ event: 'test', i: 6 }]], 'stop() writes what the tick queued at once')
  h.write({ event: 'test', i: 7 })
  t.deepEqual(writes.slice(3).map(parse), [[{ event: 'test', i: 7 }]], 'after stop() a line is written at once (the process may exit in this tick)')
})
