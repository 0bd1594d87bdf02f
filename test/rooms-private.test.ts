// Rooms, private messages, presence and identities, as real processes.
import test from 'tape'
import { Cluster, type Proc } from './helpers/proc'

const NOPEX = ['--no-pex']

async function ask (p: Proc, line: string, event: string): Promise<any> {
  const n = p.events.length
  p.send(line)
  return p.waitFor(e => (e.event === event || e.event === 'error') && p.events.indexOf(e) >= n, 5000, `${event} after ${line}`)
}

async function line (c: Cluster, names: string[], extra: string[][] = []): Promise<Proc[]> {
  const ps: Proc[] = []
  for (let i = 0; i < names.length; i++) {
    const args = [...NOPEX, ...(extra[i] ?? [])]
    if (i > 0) args.push('--peer', ps[i - 1].listen)
    ps.push(await c.start({ name: names[i], args }))
  }
  for (let i = 1; i < ps.length; i++) await ps[i].waitPeerUp(ps[i - 1].id)
  return ps
}

test('private message across a relay: only the recipient reads it, the sender hears delivered', async (t) => {
  t.timeoutAfter(30_000)
  const c = new Cluster(t)
  const [a, b, cc] = await line(c, ['alice', 'bob', 'carol'])
  // a learns of carol through presence.
  await a.waitFor(e => e.event === 'presence' && e.peer === cc.id, 10_000, 'carol presence')
  a.send('/msg carol the eagle lands at noon')
  const own = await a.waitFor(e => e.event === 'message' && e.private && e.self, 5000, 'own private event')
  t.equal(own.to, cc.id, 'own event names the recipient key')
  const got = await cc.waitMessage('the eagle lands at noon')
  t.ok(got.private && got.from === a.id && !got.self, 'carol receives it as private, from alice')
  const delivered = await a.waitFor(e => e.event === 'delivered' && e.id === own.id, 5000, 'delivered')
  t.equal(delivered.peer, cc.id)
  // The relay saw the frame (it forwarded it) but never a readable message.
  a.send('public after private')
  await b.waitMessage('public after private')
  t.equal(b.messages().filter(m => m.private || /eagle/.test(m.text)).length, 0, 'bob got nothing readable')
  t.equal(b.messages().length, 1, 'bob only got the public line')
  // An unreachable recipient: undelivered after the ack timeout.
  await cc.kill('SIGKILL')
  a.send(`/msg ${cc.id.slice(0, 8)} are you there?`)
  const lost = await a.waitFor(e => e.event === 'message' && e.private && e.self && e.text === 'are you there?', 5000, 'own')
  const und = await a.waitFor(e => e.event === 'undelivered' && e.id === lost.id, 10_000, 'undelivered')
  t.ok(und, 'undelivered after the timeout')
})

test('two alices: a bare nick is refused naming both; nick#tag works; key change is flagged', async (t) => {
  t.timeoutAfter(30_000)
  const c = new Cluster(t)
  const hub = await c.start({ name: 'hub', args: NOPEX })
  const a1 = await c.start({ name: 'alice', args: [...NOPEX, '--peer', hub.listen] })
  await hub.waitPeerUp(a1.id)
  const a2 = await c.start({ name: 'alice', args: [...NOPEX, '--peer', hub.listen] })
  await hub.waitPeerUp(a2.id)
  const warn = await hub.waitFor(e => e.event === 'warning' && e.code === 'NICK_KEY_CHANGED', 5000, 'NICK_KEY_CHANGED')
  t.equal(warn.peer, a2.id, 'the newcomer key is flagged')
  t.equal(warn.known, a1.id, 'the first key is named')
  const err = await ask(hub, '/msg alice hi', 'message')
  t.equal(err.code, 'AMBIGUOUS_TARGET')
  t.ok(err.message.includes(`alice#${a1.id.slice(0, 4)}`) && err.message.includes(`alice#${a2.id.slice(0, 4)}`), `lists both: ${err.message}`)
  hub.send(`/msg alice#${a2.id.slice(0, 4)} hi second alice`)
  await a2.waitMessage('hi second alice')
  // A public line after it takes the same link to the first alice.
  hub.send('public after the private one')
  await a1.waitMessage('public after the private one')
  t.equal(a1.messages('hi second alice').length, 0, 'first alice did not get it')
  const unknown = await ask(hub, '/msg nobody hi', 'message')
  t.equal(unknown.code, 'UNKNOWN_TARGET')
  const who = await ask(hub, `/whois alice#${a1.id.slice(0, 4)}`, 'whois')
  t.equal(who.peer, a1.id, 'whois gives the full key')
  t.equal(who.reached, 'direct')
  t.equal(who.via, 'tcp')
  t.ok(who.addresses.includes(a1.listen), 'and the address')
})

test('rooms: each node sees only its rooms; a node in both sees both, tagged', async (t) => {
  t.timeoutAfter(30_000)
  const c = new Cluster(t)
  const [x, both, y] = await line(c, ['xonly', 'both', 'yonly'], [['--room', 'x'], ['--room', 'x', '--room', 'y'], ['--room', 'y']])
  t.deepEqual(both.ready.rooms, ['x', 'y'], 'ready lists rooms')
  x.send('in x')
  y.send('in y')
  both.send('/room y')
  await both.waitFor(e => e.event === 'room' && e.room === 'y', 5000, 'switched')
  both.send('both to y')
  await both.waitMessage('in x'); await both.waitMessage('in y')
  await y.waitMessage('both to y')
  t.equal(both.messages('in x')[0].room, 'x')
  t.equal(both.messages('in y')[0].room, 'y')
  await y.waitMessage('in y')
  // Later markers over the paths the other room's traffic took: x's lines
  // reach y through both, y's lines reach x through both.
  x.send('x again'); await both.waitMessage('x again')
  both.send('both to y again'); await y.waitMessage('both to y again')
  both.send('/room x')
  await both.waitFor(e => e.event === 'room' && e.room === 'x', 5000, 'switched back')
  both.send('both to x'); await x.waitMessage('both to x')
  t.equal(x.messages().filter(m => m.room !== 'x').length, 0, 'x sees only room x (y traffic relayed through both, not shown)')
  t.equal(y.messages().filter(m => m.room !== 'y').length, 0, 'y sees only room y')
  t.ok(y.messages('in x').length === 0 && x.messages('in y').length === 0, 'neither saw the other room\'s lines')
  const joined = await ask(x, '/join y', 'joined')
  t.deepEqual(joined.rooms, ['x', 'y'])
  x.send('x now in y')
  t.equal((await y.waitMessage('x now in y')).room, 'y', 'after /join, lines go to the new room')
  const left = await ask(x, '/leave y', 'left')
  t.equal(left.current, 'x', 'leaving the current room falls back to another')
  const last = await ask(x, '/leave x', 'left')
  t.equal(last.code, 'LAST_ROOM', 'cannot leave the last room')
  const notIn = await ask(x, '/room zzz', 'room')
  t.equal(notIn.code, 'NOT_IN_ROOM')
})

test('/who on a 5-node line lists all five; a killed member drops out after the timeout', async (t) => {
  t.timeoutAfter(40_000)
  const c = new Cluster(t)
  const ps = await line(c, ['p0', 'p1', 'p2', 'p3', 'p4'])
  const ids = ps.map(p => p.id).sort()
  await ps[0].waitFor(() => new Set(ps[0].events.filter(e => e.event === 'presence' && e.state === 'join').map(e => e.peer)).size === 4, 15_000, 'four joins')
  const who = await ask(ps[0], '/who', 'members')
  t.deepEqual(who.members.map((m: any) => m.peer).sort(), ids, 'all five listed')
  t.ok(who.members.find((m: any) => m.self && m.peer === ps[0].id), 'self marked')
  t.ok(who.members.every((m: any) => m.tag && m.tag.length >= 4), 'each with a key tag')
  await ps[4].kill('SIGKILL')
  await ps[0].waitFor(e => e.event === 'presence' && e.state === 'leave' && e.peer === ps[4].id, 15_000, 'p4 drops out')
  const after = await ask(ps[0], '/who', 'members')
  t.deepEqual(after.members.map((m: any) => m.peer).sort(), ps.slice(0, 4).map(p => p.id).sort(), 'four left')
})
