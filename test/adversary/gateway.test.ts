// Adversarial load on the plain-text gateway, with real bin processes on
// loopback: guests that never speak, many guests from one address, and
// guests that flood faster than the gateway's neighbours accept frames.
import test from 'tape'
import { once } from 'events'
import { Cluster, runBin, type Proc } from '../helpers/proc'
import { SharedBudget } from '../../lib/core/send-budget'
import { systemClock } from '../../lib/core/clock'
import { OWN_SEND_SHARE } from '../../lib/core/author-limits'
import { LineClient } from '../helpers/line-client'

const GREETING = /^\*\*\* Welcome to meshchat room #\S+ via \S+\. You are (guest-\d+)/
const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms))

async function gatewayNode (cluster: Cluster, limits: object, args: string[] = []): Promise<{ gw: Proc; address: string }> {
  const gw = await cluster.start({ name: 'gw', args: ['--text-listen', '127.0.0.1:0', '--gateway-limits', JSON.stringify(limits), ...args] })
  const e = await gw.waitFor(e => e.event === 'text-listen', 5000, 'text-listen')
  return { gw, address: e.listen }
}

async function guest (cluster: Cluster, address: string, name: string, localAddress?: string): Promise<LineClient> {
  const c = await LineClient.connect(address, name, localAddress)
  cluster.cleanups.push(() => c.destroy())
  await c.waitLine(l => GREETING.test(l), 5000, `${name} greeting`)
  return c
}

test('--gateway-idle takes whole seconds; anything else exits 2 naming the value', async (t) => {
  t.timeoutAfter(20_000)
  for (const bad of ['0', '-5', '1.5', 'soon']) {
    const r = await runBin(['--headless', '--gateway-idle', bad])
    t.equal(r.code, 2, `--gateway-idle ${bad}: exit 2`)
    t.match(r.stderr, new RegExp(`--gateway-idle '${bad.replace('.', '\\.')}'`), 'the message names the value')
  }
})

test('shared budget: an empty budget makes newcomers queue; waiters are served in turn', async (t) => {
  t.timeoutAfter(5000)
  let skew = 0
  // Time stands still while the burst is taken (at 200 a second a token comes back in 5 ms, which a loaded machine can take between two lines).
  let frozen: number | null = Date.now()
  const budget = new SharedBudget(200, 2, { ...systemClock, now: () => (frozen ?? Date.now()) + skew })
  t.ok(budget.ready()); budget.take()
  t.ok(budget.ready()); budget.take()
  t.notOk(budget.ready(), 'the burst is spent')
  frozen = null
  const order: string[] = []
  const woken = new Promise<void>(resolve => {
    const a = () => { order.push('a'); budget.take(); budget.wait(a) }
    const b = () => { order.push('b'); budget.take(); if (order.length >= 6) resolve(); else budget.wait(b) }
    budget.wait(a)
    budget.wait(b)
  })
  t.equal(budget.waiting, 2)
  await woken
  t.deepEqual(order.slice(0, 6), ['a', 'b', 'a', 'b', 'a', 'b'], 'a waiter that ran goes behind the others')
  skew += 10_000 // time enough to refill the whole burst
  t.equal(budget.waiting, 1, 'a is still in line')
  t.notOk(budget.ready(), 'while someone waits, a newcomer gets no token ahead of it')
  budget.close()
  t.equal(budget.waiting, 0, 'closed: nobody waits')
  t.ok(budget.ready(), 'and with nobody in line the refilled tokens are there')
})

test('a silent guest is closed with GATEWAY_IDLE; one sending empty keep-alive lines stays', async (t) => {
  t.timeoutAfter(20_000)
  const cluster = new Cluster(t)
  const IDLE = 600
  const { gw, address } = await gatewayNode(cluster, { idleMs: IDLE })
  const silent = await guest(cluster, address, 'silent')
  const keeper = await guest(cluster, address, 'keeper')
  const start = Date.now()
  // Keep-alives every IDLE/4 until the silent one is gone and 3 more idle periods passed (bounded).
  let closedAt = 0
  for (let i = 0; i < 60; i++) {
    keeper.send('')
    await sleep(IDLE / 4)
    if (silent.isClosed && !closedAt) closedAt = Date.now()
    if (closedAt && Date.now() - closedAt > 3 * IDLE) break
  }
  t.ok(silent.isClosed, 'the silent guest was closed')
  t.match(silent.lines[silent.lines.length - 1], /^\*\*\* error GATEWAY_IDLE: /, 'with a coded error line first')
  t.ok(closedAt - start >= IDLE, `not before the idle timeout (${closedAt - start} ms)`)
  await keeper.waitLine(l => /^\*\*\* guest-\d+ left \(idle\)$/.test(l), 2000, 'leave notice')
  keeper.send('still here after the keep-alives')
  await gw.waitMessage('still here after the keep-alives')
  t.notOk(keeper.isClosed, 'the guest sending keep-alive lines stayed')
  t.notOk(keeper.lines.some(l => l.includes('GATEWAY_IDLE')), 'and was never told it was idle')
})

test('guests per remote address are capped; another address still gets in', async (t) => {
  t.timeoutAfter(20_000)
  const cluster = new Cluster(t)
  const { address } = await gatewayNode(cluster, { maxClientsPerIp: 2 })
  const first = await guest(cluster, address, 'first')
  await guest(cluster, address, 'second')
  const third = await LineClient.connect(address, 'third')
  cluster.cleanups.push(() => third.destroy())
  t.match(await third.waitLine(() => true, 5000, 'refusal'), /^\*\*\* error GATEWAY_IP_FULL: .*127\.0\.0\.1/, 'the third from 127.0.0.1 is refused')
  await third.waitClosed(5000)
  const other = await guest(cluster, address, 'other', '127.0.0.2')
  t.equal(other.socket.localAddress, '127.0.0.2', 'a guest from 127.0.0.2 still gets in')
  first.send('/quit')
  await first.waitClosed(5000)
  const again = await guest(cluster, address, 'again')
  t.notOk(again.isClosed, 'a place freed by a guest leaving can be taken again')
})

test('guests flooding a gateway are paced losslessly by the node\'s send budget, below what its neighbour accepts', async (t) => {
  t.timeoutAfter(40_000)
  const cluster = new Cluster(t)
  // Raised to keep the run short: the neighbour accepts 400 frames/s (burst 800) and 330 a
  // second of one author; the gateway node's own lines are paced to 90% of that, 297/s in
  // all; each guest alone may post 500/s (the default).
  const AUTHOR = 330
  const own = AUTHOR * OWN_SEND_SHARE
  const nb = await cluster.start({ name: 'nb', args: ['--rate-limit', '400:800', '--author-rate', `${AUTHOR}:${AUTHOR}`] })
  const { gw, address } = await gatewayNode(cluster, {}, ['--peer', nb.listen, '--author-rate', `${AUTHOR}:${AUTHOR}`])
  await nb.waitPeerUp(gw.id)
  await gw.waitPeerUp(nb.id)
  const GUESTS = 4
  const LINES = 500
  const guests = await Promise.all(Array.from({ length: GUESTS }, (_, g) => guest(cluster, address, `g${g}`)))
  const started = Date.now()
  // Each guest writes as fast as its socket takes the bytes (waiting on 'drain' only).
  await Promise.all(guests.map(async (c, g) => {
    for (let i = 0; i < LINES; i++) {
      if (!c.socket.write(`g${g}-${i}\n`)) await once(c.socket, 'drain')
    }
  }))
  const guestLines = () => nb.messages().filter(m => /^g\d-\d+$/.test(m.text))
  const linkLost = () => [nb, gw].some(p => p.events.some(e => e.event === 'peer-down'))
  while (guestLines().length < GUESTS * LINES && !linkLost() && Date.now() - started < 30_000) await sleep(100)
  const elapsed = Date.now() - started
  const texts = guestLines().map(m => m.text)
  const expected = new Set<string>()
  for (let g = 0; g < GUESTS; g++) for (let i = 0; i < LINES; i++) expected.add(`g${g}-${i}`)
  t.equal(texts.length, GUESTS * LINES, `the neighbour got ${texts.length} of ${GUESTS * LINES} lines in ${elapsed} ms`)
  t.equal(new Set(texts).size, texts.length, 'each exactly once')
  t.ok(texts.every(x => expected.has(x)), 'and only the lines sent')
  t.notOk(linkLost(), 'the link between gateway and neighbour stayed up (no peer-down)')
  const limited = nb.events.filter(e => e.event === 'error' && e.code === 'RATE_LIMITED')
  t.equal(limited.length, 0, 'the neighbour never rate-limited the gateway')
  t.notOk(nb.events.some(e => e.event === 'error' && e.code === 'AUTHOR_RATE'), 'nor dropped a line of it as over its author rate')
  t.ok(elapsed >= ((GUESTS * LINES - own) / own) * 1000 * 0.9, `paced by the node's send budget (${elapsed} ms)`)
  t.notOk(guests.some(c => c.isClosed || c.lines.some(l => l.startsWith('*** error'))), 'no guest got an error or was closed')
})

test('--gateway-limits may give the gateway a line budget of its own (the fan-out benchmark does): its guests then post past the node\'s send budget', async (t) => {
  t.timeoutAfter(20_000)
  const cluster = new Cluster(t)
  const { address } = await gatewayNode(cluster, { totalRate: 100_000, totalBurst: 100_000 })
  const a = await guest(cluster, address, 'a')
  const b = await guest(cluster, address, 'b')
  const LINES = 200
  const started = Date.now()
  a.socket.write(Array.from({ length: LINES }, (_, i) => `own-${i}`).join('\n') + '\n')
  await b.waitLine(l => l.endsWith(`own-${LINES - 1}`), 10_000, 'the last line')
  const took = Date.now() - started
  t.equal(b.lines.filter(l => /own-\d+$/.test(l)).length, LINES, `all ${LINES} lines reached the other guest`)
  // Under the node's send budget (18 at once, then 45 a second) they would take about 4 s.
  t.ok(took < 2000, `not paced by the node's send budget: ${took} ms`)
})
