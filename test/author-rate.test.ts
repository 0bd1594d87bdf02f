// One author's messages: every relay accepts DEFAULT_AUTHOR_RATE a second
// (burst DEFAULT_AUTHOR_BURST) and drops the rest (AUTHOR_RATE), and a node
// paces its own lines under that (lib/core/send-budget.ts), so a paste is
// delayed, never lost. A hostile member, a client built to skip the pacing
// (here: a node told it may send at 100,000/s), gets no more than the limit
// through the first honest relay. A gateway's guest announcements, signed by
// its key too, wait in the same budget. Real processes on loopback.
import test from 'tape'
import { Cluster, FAST_TIMING, LIFTED_LIMITS } from './helpers/proc'
import { until } from './helpers/raw-peer'
import { connect, gatewayNode } from './helpers/gateway'
import { DEFAULT_AUTHOR_BURST, DEFAULT_AUTHOR_RATE, OWN_SEND_SHARE } from '../lib/core/author-limits'

const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms))
/** Test timing for a node that holds no author as young (lib/core/author-limits.ts). */
const NOT_YOUNG = { ...FAST_TIMING, youngAuthorMs: 0 }

test(`a hostile member's flood is cut to ${DEFAULT_AUTHOR_BURST} at once and ${DEFAULT_AUTHOR_RATE}/s at the first honest relay; others' lines still pass`, async (t) => {
  t.timeoutAfter(40_000)
  const cluster = new Cluster(t)
  // The relay and the far node hold no author as young: this is a member they met long ago (a young one's burst:
  // adversary/young-authors.test.ts).
  const relay = await cluster.start({ name: 'relay', args: ['--no-pex'], timing: NOT_YOUNG })
  const far = await cluster.start({ name: 'far', args: ['--peer', relay.listen, '--no-pex'], timing: NOT_YOUNG })
  const hostile = await cluster.start({ name: 'hostile', args: ['--peer', relay.listen, '--no-pex', '--author-rate', '100000:100000'] })
  const honest = await cluster.start({ name: 'honest', args: ['--peer', relay.listen, '--no-pex'] })
  await Promise.all([far, hostile, honest].map(p => relay.waitPeerUp(p.id)))
  await Promise.all([far, hostile, honest].map(p => p.waitPeerUp(relay.id)))
  const FLOOD = 600
  const started = Date.now()
  hostile.child.stdin!.write(Array.from({ length: FLOOD }, (_, i) => `spam ${i}`).join('\n') + '\n')
  t.ok(await until(() => hostile.messages().filter(m => String(m.text).startsWith('spam ')).length === FLOOD, 10_000), `the hostile node signed all ${FLOOD} at once`)
  honest.send('still heard')
  t.ok(await far.waitMessage('still heard', 10_000), 'an honest line crosses the relay during the flood')
  await sleep(1000)
  const elapsed = (Date.now() - started) / 1000
  const got = far.messages().filter(m => String(m.text).startsWith('spam ')).length
  const allowed = DEFAULT_AUTHOR_BURST + DEFAULT_AUTHOR_RATE * elapsed
  t.ok(got >= DEFAULT_AUTHOR_BURST && got <= allowed, `the far node got ${got} of ${FLOOD} (the limit allows ${Math.floor(allowed)} in ${elapsed.toFixed(1)} s)`)
  t.ok(relay.events.some(e => e.event === 'error' && e.code === 'AUTHOR_RATE'), 'the relay reports AUTHOR_RATE')
  const ids = far.messages().filter(m => String(m.text).startsWith('spam ')).map(m => m.id)
  t.equal(new Set(ids).size, ids.length, 'no id twice')
})

test(`an honest paste is paced under ${Math.round(OWN_SEND_SHARE * 100)}% of the author limit: every line arrives, once, in order`, async (t) => {
  t.timeoutAfter(40_000)
  const cluster = new Cluster(t)
  const relay = await cluster.start({ name: 'relay', args: ['--no-pex'] })
  const paster = await cluster.start({ name: 'paster', args: ['--peer', relay.listen, '--no-pex'] })
  const far = await cluster.start({ name: 'far', args: ['--peer', relay.listen, '--no-pex'] })
  await Promise.all([paster, far].map(p => relay.waitPeerUp(p.id)))
  await Promise.all([paster, far].map(p => p.waitPeerUp(relay.id)))
  const LINES = 150
  const started = Date.now()
  paster.child.stdin!.write(Array.from({ length: LINES }, (_, i) => `line ${i}`).join('\n') + '\n/peers\n')
  t.ok(await until(() => far.messages().filter(m => String(m.text).startsWith('line ')).length >= LINES, 20_000), `the far node got all ${LINES} lines`)
  const took = (Date.now() - started) / 1000
  const ownRate = DEFAULT_AUTHOR_RATE * OWN_SEND_SHARE
  const ownBurst = Math.floor(DEFAULT_AUTHOR_BURST * OWN_SEND_SHARE)
  t.ok(took >= (LINES - ownBurst) / ownRate * 0.9, `paced: ${took.toFixed(1)} s for ${LINES} lines (${ownRate}/s after a burst of ${ownBurst})`)
  const texts = far.messages().filter(m => String(m.text).startsWith('line ')).map(m => m.text)
  const misplaced = texts.findIndex((x, i) => x !== `line ${i}`)
  t.ok(texts.length === LINES && misplaced === -1, `each once, in order (${texts.length} lines; first out of place: ${misplaced})`)
  t.notOk(relay.events.some(e => e.event === 'error' && e.code === 'AUTHOR_RATE'), 'the relay dropped nothing')
  t.ok(await paster.waitFor(e => e.event === 'peers', 5000, 'peers'), 'a command after the paste runs once the lines before it went out')
})

test('a gateway whose guests arrive at once announces them all, paced by its send budget rather than dropped by the relay', async (t) => {
  t.timeoutAfter(40_000)
  const cluster = new Cluster(t)
  const GUESTS = 100
  const { gw, address } = await gatewayNode(cluster, 'gw', ['--no-pex', '--gateway-limits', JSON.stringify({ maxClientsPerIp: GUESTS })])
  const relay = await cluster.start({ name: 'relay', args: ['--peer', gw.listen, '--no-pex'] })
  const far = await cluster.start({ name: 'far', args: ['--peer', relay.listen, '--no-pex'] })
  await Promise.all([relay.waitPeerUp(gw.id), relay.waitPeerUp(far.id)])
  const started = Date.now()
  await Promise.all(Array.from({ length: GUESTS }, (_, i) => connect(cluster, address, `c${i}`)))
  const joined = () => new Set(far.events.filter(e => e.event === 'presence' && e.state === 'join' && e.via !== undefined).map(e => e.nick)).size
  t.ok(await until(() => joined() === GUESTS, 20_000), `the far node heard all ${GUESTS} guests join (${joined()}, ${((Date.now() - started) / 1000).toFixed(1)} s)`)
  t.notOk(relay.events.some(e => e.event === 'error' && e.code === 'AUTHOR_RATE'), 'the relay dropped none of the announcements')
})

test('a flood of private messages cannot spend the send budget a node\'s own lines need: its acks wait their turn', async (t) => {
  t.timeoutAfter(40_000)
  const cluster = new Cluster(t)
  // The victim met the flooder long ago (it holds no author as young), so its excess is dropped, not held.
  const victim = await cluster.start({ name: 'victim', args: ['--no-pex'], timing: NOT_YOUNG })
  const far = await cluster.start({ name: 'far', args: ['--peer', victim.listen, '--no-pex'] })
  // The flooder skips the pacing and sends 60 private messages a second: over what the victim accepts of one author (50), so each one it accepts costs it an ack, more than its budget refills (45).
  const flooder = await cluster.start({ name: 'flooder', args: ['--peer', victim.listen, '--no-pex', ...LIFTED_LIMITS] })
  await Promise.all([far, flooder].map(p => victim.waitPeerUp(p.id)))
  await Promise.all([far, flooder].map(p => p.waitPeerUp(victim.id)))
  const privates = () => victim.messages().filter(m => m.private === true).length
  const TICKS = 50
  let tick = 0
  const flooding = new Promise<void>(resolve => {
    const timer = setInterval(() => {
      for (let i = 0; i < 6; i++) flooder.send(`/msg victim flood ${tick * 6 + i}`)
      if (++tick >= TICKS) { clearInterval(timer); resolve() }
    }, 100)
  })
  t.ok(await until(() => privates() >= 100, 10_000), 'the victim is receiving the flood (and acknowledging it)')
  victim.child.stdin!.write(Array.from({ length: 20 }, (_, i) => `own ${i}`).join('\n') + '\n')
  const own = () => far.messages().filter(m => String(m.text).startsWith('own ')).length
  t.ok(await until(() => own() === 20, 15_000), 'the far node got the victim\'s 20 lines')
  const atPaste = privates()
  await flooding
  await sleep(500) // the flood's last messages in flight
  t.ok(privates() - atPaste >= 50, `they got out while the flood went on: ${privates() - atPaste} more private messages arrived after them (${privates()} in all)`)
  t.ok(victim.events.some(e => e.event === 'error' && e.code === 'AUTHOR_RATE'), 'the victim dropped what the flooder sent over its author rate')
  // Acks that waited went out together (MAX_ACK_IDS each): the flooder hears every message the victim showed.
  const shown = new Set(victim.messages().filter(m => m.private === true).map(m => m.id as string))
  const heard = () => flooder.events.filter(e => e.event === 'delivered' && shown.has(e.id as string)).length
  t.ok(await until(() => heard() === shown.size, 10_000), `the flooder heard ${heard()} of the ${shown.size} delivered`)
  t.notOk(flooder.events.some(e => e.event === 'undelivered' && shown.has(e.id as string)), 'none of them undelivered')
})
