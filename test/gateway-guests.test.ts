// Gateway guests among mesh people: a guest cannot take a mesh peer's nick
// (or the gateway's own), long guest lines are split rather than refused, and
// shutdown ends a client that keeps its own side open (what nc does).
// Real bin processes and loopback sockets.
import net from 'net'
import test from 'tape'
import { Cluster } from './helpers/proc'
import { GREETING, connect, gatewayNode, tag } from './helpers/gateway'
import { MAX_TEXT_BYTES } from '../lib/protocol/limits'


test('a guest cannot take the nick of a mesh peer, of the gateway node, or of another guest', async (t) => {
  t.timeoutAfter(20_000)
  const cluster = new Cluster(t)
  const { gw, address } = await gatewayNode(cluster, 'gw')
  const alice = await cluster.start({ name: 'alice', args: ['--peer', gw.listen] })
  await gw.waitPeerUp(alice.id)
  const a = await connect(cluster, address, 'a')
  const b = await connect(cluster, address, 'b')
  const errorAfter = async (n: number) => {
    await a.c.waitLine(() => a.c.lines.filter(l => l.startsWith('*** error')).length > n, 5000, `error ${n + 1}`)
    return a.c.lines.filter(l => l.startsWith('*** error'))[n]
  }
  a.c.send('/nick alice')
  t.equal(await errorAfter(0), `*** error NICK_IN_USE: alice is the nick of ${tag(alice)} on the mesh; pick another`, 'a linked mesh peer\'s nick is refused, naming it')
  a.c.send('/nick ALICE')
  t.match(await errorAfter(1), /^\*\*\* error NICK_IN_USE: ALICE is the nick of alice#/, 'in any case')
  a.c.send('/nick gw')
  t.equal(await errorAfter(2), `*** error NICK_IN_USE: gw is the nick of ${tag(gw)} on the mesh; pick another`, 'the gateway node\'s own nick is refused')
  a.c.send(`/nick ${b.guest}`)
  t.match(await errorAfter(3), /^\*\*\* error NICK_IN_USE: another client of this gateway/, 'another guest\'s name is refused')
  a.c.send('/nick alicia')
  t.equal(await a.c.waitLine(l => l.startsWith('*** you are now')), '*** you are now alicia', 'a free nick is taken')
  a.c.send('said as alicia')
  const m = await alice.waitMessage('said as alicia')
  t.deepEqual([m.nick, m.via], ['alicia', 'gw'], 'the mesh sees the line under the new name')
  t.notOk(alice.messages().some(e => e.nick === 'alice' && e.via === 'gw'), 'no guest line ever went out as alice')
})

test('a long guest line is posted as several messages in order, not refused', async (t) => {
  t.timeoutAfter(20_000)
  const cluster = new Cluster(t)
  const { gw, address } = await gatewayNode(cluster, 'gw')
  const bob = await cluster.start({ name: 'bob', args: ['--peer', gw.listen] })
  await gw.waitPeerUp(bob.id)
  const a = await connect(cluster, address, 'a')
  const long = 'é'.repeat(MAX_TEXT_BYTES) // twice the text limit in bytes
  a.c.send(long)
  a.c.send('after the long one')
  await bob.waitMessage('after the long one')
  const parts = bob.messages().filter(e => e.via === 'gw' && e.text !== 'after the long one')
  t.equal(parts.length, 2, 'two messages')
  t.equal(parts.map(e => e.text).join(''), long, 'they join back into the line')
  t.ok(parts.every(e => Buffer.byteLength(e.text) <= MAX_TEXT_BYTES), 'each within the text limit')
  t.notOk(a.c.lines.some(l => l.startsWith('*** error')), 'no error line')
})

test('gateway shutdown ends a client that keeps its side open (nc) at once', async (t) => {
  t.timeoutAfter(20_000)
  const cluster = new Cluster(t)
  const { gw, address } = await gatewayNode(cluster, 'gw')
  const i = address.lastIndexOf(':')
  // Like nc: a FIN alone would leave it half-open until it writes; it must be reset.
  const socket = net.connect({ host: address.slice(0, i), port: Number(address.slice(i + 1)), allowHalfOpen: true })
  cluster.cleanups.push(() => socket.destroy())
  let text = ''
  socket.setEncoding('utf8')
  socket.on('data', (d: string) => { text += d })
  socket.on('error', () => {})
  const closed = new Promise<void>(resolve => socket.once('close', () => resolve()))
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no greeting')), 5000)
    socket.on('data', () => { if (GREETING.test(text)) { clearTimeout(timer); resolve() } })
  })
  const started = Date.now()
  const status = await gw.kill('SIGTERM')
  const within = (p: Promise<void>, ms: number) => Promise.race([p.then(() => true), new Promise<boolean>(resolve => setTimeout(() => resolve(false), ms))])
  t.ok(await within(closed, 3000), 'the client\'s socket closes without it writing anything')
  t.ok(Date.now() - started < 3000, `within ${Date.now() - started} ms of SIGTERM`)
  t.ok(text.includes('*** the gateway is shutting down\r\n'), 'the goodbye line arrived first')
  t.equal(status.code, 0, 'the gateway exits 0')
})
