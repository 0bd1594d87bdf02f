// A burst of guest lines through a real gateway process: lines typed in the
// same turn share one signature (GUEST_BATCH), yet a linked mesh node, another
// guest of the gateway and a node that joins later (by history sync) each get
// every line once, in order per guest; no guest gets its own lines back.
// Real bin processes and loopback sockets.
import test from 'tape'
import { Cluster, type Event } from './helpers/proc'
import { connect, gatewayNode, tag } from './helpers/gateway'
import { until } from './helpers/raw-peer'

const LINES = 60
const SENDERS = ['a', 'b', 'c']

/** `[sender letter, index]` of each burst line in a list of texts, in arrival order. */
function burst (texts: string[]): Array<[string, number]> {
  return texts.flatMap(s => {
    const m = /burst (\w) (\d+)$/.exec(s)
    return m ? [[m[1], Number(m[2])] as [string, number]] : []
  })
}

/** Whether every sender's lines came once each, 0..LINES-1 in order. */
function onceInOrder (got: Array<[string, number]>, senders: string[]): string | null {
  for (const s of senders) {
    const seq = got.filter(g => g[0] === s).map(g => g[1])
    const want = Array.from({ length: LINES }, (_, i) => i)
    if (seq.join() !== want.join()) return `${s}: ${seq.length} lines, ${seq.slice(0, 8).join(',')}...`
  }
  return null
}

test('a burst from three guests reaches a mesh node, another guest and a late node once each, in order per guest, sharing signatures', async (t) => {
  t.timeoutAfter(40_000)
  const cluster = new Cluster(t)
  const { gw, address } = await gatewayNode(cluster, 'gw')
  const bob = await cluster.start({ name: 'bob', args: ['--peer', gw.listen] })
  await gw.waitPeerUp(bob.id)
  const senders = await Promise.all(SENDERS.map(s => connect(cluster, address, s)))
  const watcher = await connect(cluster, address, 'watcher')
  const guestOf = new Map(senders.map((s, i) => [s.guest, SENDERS[i]]))
  // The guests' joins were the gateway's first messages on its new link, sent from the small budget a node has then
  // (OWN_FIRST_BURST); once bob has them all, half a second refills it, so the burst below can share signatures.
  await until(() => bob.events.filter(e => e.event === 'presence' && e.state === 'join' && e.via !== undefined).length >= SENDERS.length + 1, 10_000)
  await new Promise(resolve => setTimeout(resolve, 500))
  // Each guest's whole burst in one write, all three back to back.
  senders.forEach((s, i) => s.c.socket.write(Array.from({ length: LINES }, (_, n) => `burst ${SENDERS[i]} ${n}\n`).join('')))

  const fromGw = (e: Event) => e.via === 'gw'
  await Promise.all(SENDERS.map(s => bob.waitMessage(`burst ${s} ${LINES - 1}`, 20_000)))
  const atBob = bob.messages().filter(fromGw)
  t.equal(onceInOrder(burst(atBob.map(e => e.text)), SENDERS), null, `the mesh node got ${atBob.length} lines: each once, in order per guest`)
  t.ok(atBob.every(e => guestOf.get(e.nick) === /burst (\w)/.exec(e.text)![1]), 'each under the name of the guest who typed it')
  const batches = new Set(atBob.map(e => String(e.id).split('.')[0]))
  t.ok(batches.size < atBob.length, `${atBob.length} lines came in ${batches.size} signed messages`)

  await Promise.all(SENDERS.map(s => watcher.c.waitLine(l => l.endsWith(`burst ${s} ${LINES - 1}`), 20_000, `last line of ${s}`)))
  const gwTag = tag(gw)
  const seen = watcher.c.lines.filter(l => / via \S+: burst /.test(l))
  t.equal(onceInOrder(burst(seen), SENDERS), null, `the other guest got ${seen.length} lines: each once, in order per guest`)
  t.ok(seen.every(l => l.startsWith(`${[...guestOf].find(([, s]) => s === /burst (\w)/.exec(l)![1])![0]} via ${gwTag}: `)), 'as "guest via gw#tag: text" lines')

  // Each sender hears the other two, never itself; a later line proves nothing more is on the way.
  for (const [i, s] of senders.entries()) {
    s.c.send(`done ${i}`)
    await watcher.c.waitLine(l => l.endsWith(`done ${i}`), 10_000, `done ${i}`)
  }
  for (const [i, s] of senders.entries()) {
    await s.c.waitLine(l => l.endsWith(`done ${(i + 1) % SENDERS.length}`), 10_000, 'a later line')
    const others = SENDERS.filter((_, j) => j !== i)
    t.equal(onceInOrder(burst(s.c.lines), others), null, `guest ${SENDERS[i]} got the other guests' lines once each, in order`)
    t.notOk(burst(s.c.lines).some(g => g[0] === SENDERS[i]), `guest ${SENDERS[i]} got none of its own`)
  }

  const carol = await cluster.start({ name: 'carol', args: ['--peer', gw.listen] })
  await carol.waitFor(() => burst(carol.messages().filter(fromGw).map(e => e.text)).length >= LINES * SENDERS.length, 20_000, 'the burst by sync')
  const synced = carol.messages().filter(fromGw)
  t.ok(synced.every(e => e.history === true), 'a late node gets them as history')
  t.equal(onceInOrder(burst(synced.map(e => e.text)), SENDERS), null, 'each once, in order per guest')
})
