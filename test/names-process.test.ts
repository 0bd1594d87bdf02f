// Renames, leaves, quits and gateway guests as real processes: each is seen
// two hops away at once, and a newcomer lists the room at once (well inside the presence interval and timeout, which
// are set long here so that neither can be what delivers it).
import test from 'tape'
import { Cluster, FAST_TIMING, type Event, type Proc } from './helpers/proc'
import { LineClient } from './helpers/line-client'

/** Announcements every 30 s and a 75 s timeout (the defaults): only an immediate signed event can pass a 3 s wait. */
const SLOW_PRESENCE = { ...FAST_TIMING, presenceIntervalMs: 30_000, presenceTimeoutMs: 75_000 }
/** What "at once" means in these tests. */
const AT_ONCE_MS = 3000
const NOPEX = ['--no-pex']

/** A chain n0 - n1 - ... : each node dials the one before; resolves once every link is up. */
async function chain (c: Cluster, names: string[], extra: string[] = []): Promise<Proc[]> {
  const ps: Proc[] = []
  for (const name of names) {
    const prev = ps[ps.length - 1]
    ps.push(await c.start({ name, timing: SLOW_PRESENCE, args: [...NOPEX, ...extra, ...(prev ? ['--peer', prev.listen] : [])] }))
  }
  for (let i = 1; i < ps.length; i++) await ps[i].waitPeerUp(ps[i - 1].id)
  return ps
}

/** Waits until `p` has a presence join from every one of `others` in `room`. */
async function knows (p: Proc, others: Proc[], room = 'lobby'): Promise<void> {
  for (const o of others) await p.waitFor(e => e.event === 'presence' && e.state === 'join' && e.peer === o.id && e.room === room, 10_000, `${p.name} sees ${o.name} join #${room}`)
}

/** Sends a command and resolves with the first `event` written after it. */
async function ask (p: Proc, line: string, event: string): Promise<Event> {
  const n = p.events.length
  p.send(line)
  return p.waitFor(e => e.event === event && p.events.indexOf(e) >= n, 5000, `${event} after ${line}`)
}

test('a rename is seen two hops away at once: nick event, /who, /peers, and the old nick still resolves', async (t) => {
  t.timeoutAfter(40_000)
  const c = new Cluster(t)
  const [a, b, far] = await chain(c, ['alice', 'bob', 'carol'])
  await knows(far, [a, b])
  // A newcomer lists the room from its one neighbour at once (roster sync), long before anyone's next announcement.
  const late = await c.start({ name: 'dave', timing: SLOW_PRESENCE, args: [...NOPEX, '--peer', far.listen] })
  await late.waitPeerUp(far.id)
  const listed = Date.now()
  await knows(late, [a, b, far])
  t.ok(Date.now() - listed < AT_ONCE_MS, `a newcomer listed everyone within ${AT_ONCE_MS} ms of its link coming up`)
  const joinOf = (p: Proc, o: Proc) => p.events.find(e => e.event === 'presence' && e.state === 'join' && e.peer === o.id && e.room === 'lobby')!
  t.deepEqual([a, b, far].map(o => joinOf(late, o).listed), [true, true, true], 'to the newcomer they are listed (they were there), not joining')
  await Promise.all([a, b, far].map(p => knows(p, [late])))
  t.deepEqual([a, b, far].map(p => joinOf(p, late).listed), [undefined, undefined, undefined], 'the room hears the newcomer join')
  const t0 = Date.now()
  a.send('/nick alfred')
  const self = await a.waitFor(e => e.event === 'nick' && e.self === true, 5000, 'own nick event')
  t.deepEqual([self.nick, self.old, self.peer], ['alfred', 'alice', a.id], 'own nick event keeps nick and adds old, peer, self')
  const seen = await far.waitFor(e => e.event === 'nick' && e.peer === a.id, AT_ONCE_MS, 'nick event two hops away')
  t.ok(Date.now() - t0 < AT_ONCE_MS, `seen two hops away within ${AT_ONCE_MS} ms`)
  t.deepEqual([seen.old, seen.nick, seen.self], ['alice', 'alfred', false], 'old and new nick, not self')
  t.equal(far.events.filter(e => e.event === 'nick' && e.peer === a.id).length, 1, 'one nick event for one rename')
  const who = await ask(far, '/who', 'members')
  t.equal(who.members.find((m: Event) => m.peer === a.id)?.nick, 'alfred', '/who shows the new nick')
  const narrowed = await ask(far, '/who lobby ALF', 'members')
  t.deepEqual([narrowed.members.map((m: Event) => m.peer), narrowed.total, narrowed.pattern], [[a.id], who.members.length, 'ALF'], '/who ROOM PATTERN: those whose nick#tag contains it (any case), of how many')
  const peers = await b.askPeers()
  t.equal(peers.peers.find((p: Event) => p.peer === a.id)?.nick, 'alfred', "a neighbour's /peers shows the new nick")
  const whois = await ask(far, '/whois alice', 'whois')
  t.deepEqual([whois.peer, whois.nick], [a.id, 'alfred'], '/whois by the old nick finds the renamed peer under its new nick')
  t.equal(whois.reached, 'mesh', 'two hops away: reached through the mesh')
  const near = await ask(b, '/whois alfred', 'whois')
  t.deepEqual([near.reached, near.via, near.remote, near.found], ['direct', 'tcp', a.listen, 'peer'], 'a neighbour\'s /whois names the link: tcp, the address it took, found by --peer')
  far.send('/msg alice still there?')
  const got = await a.waitMessage('still there?')
  t.ok(got.private && got.from === far.id, '/msg by the old nick reaches the renamed peer')
  // The neighbour's link-down line names the peer as it is called now.
  a.kill('SIGKILL')
  const down = await b.waitFor(e => e.event === 'peer-down' && e.peer === a.id, 10_000, 'peer-down')
  t.equal(down.nick, 'alfred', 'peer-down uses the current nick')
})

test('/leave, /quit and SIGTERM are seen two hops away at once, with a reason, and /who drops the member', async (t) => {
  t.timeoutAfter(60_000)
  const c = new Cluster(t)
  const [a, b, mid, far] = await chain(c, ['a', 'b', 'mid', 'far'], ['--room', 'lobby', '--room', 'team'])
  await knows(far, [a, b], 'lobby')
  await knows(far, [a, b], 'team')

  let t0 = Date.now()
  a.send('/leave team')
  const part = await far.waitFor(e => e.event === 'presence' && e.state === 'leave' && e.peer === a.id, AT_ONCE_MS, 'a parts #team')
  t.ok(Date.now() - t0 < AT_ONCE_MS, `part seen three hops away within ${AT_ONCE_MS} ms`)
  t.deepEqual([part.room, part.reason, part.nick], ['team', 'part', 'a'], 'room, reason part, nick')
  const team = await ask(far, '/who team', 'members')
  t.notOk(team.members.some((m: Event) => m.peer === a.id), '/who team drops a at once')
  t.ok(team.members.some((m: Event) => m.peer === b.id), '/who team still lists b')

  t0 = Date.now()
  a.send('/quit')
  const quit = await far.waitFor(e => e.event === 'presence' && e.state === 'leave' && e.peer === a.id && e.room === 'lobby', AT_ONCE_MS, 'a quits')
  t.ok(Date.now() - t0 < AT_ONCE_MS, `quit seen within ${AT_ONCE_MS} ms`)
  t.equal(quit.reason, 'quit', 'reason quit')
  t.equal((await a.exited).code, 0, 'a exits 0 after /quit')

  t0 = Date.now()
  void b.kill('SIGTERM')
  const term = await far.waitFor(e => e.event === 'presence' && e.state === 'leave' && e.peer === b.id && e.room === 'lobby', AT_ONCE_MS, 'b is stopped')
  t.ok(Date.now() - t0 < AT_ONCE_MS, `SIGTERM seen two hops away within ${AT_ONCE_MS} ms`)
  t.equal(term.reason, 'quit', 'SIGTERM says quit')
  const teamQuit = await far.waitFor(e => e.event === 'presence' && e.state === 'leave' && e.peer === b.id && e.room === 'team', AT_ONCE_MS, 'b leaves #team')
  t.equal(teamQuit.reason, 'quit', 'and leaves every room')
  const lobby = await ask(far, '/who lobby', 'members')
  t.deepEqual(lobby.members.map((m: Event) => m.peer).sort(), [mid.id, far.id].sort(), '/who lobby lists only the nodes still running')
})

test('gateway guests are people in the room: join, rename and leave are seen on another node', async (t) => {
  t.timeoutAfter(40_000)
  const c = new Cluster(t)
  const gw = await c.start({ name: 'gw', timing: SLOW_PRESENCE, args: [...NOPEX, '--text-listen', '127.0.0.1:0'] })
  const listen = await gw.waitFor(e => e.event === 'text-listen', 5000, 'text-listen')
  const mid = await c.start({ name: 'mid', timing: SLOW_PRESENCE, args: [...NOPEX, '--peer', gw.listen] })
  const far = await c.start({ name: 'far', timing: SLOW_PRESENCE, args: [...NOPEX, '--peer', mid.listen] })
  await far.waitPeerUp(mid.id)
  await knows(far, [gw])
  const client = await LineClient.connect(listen.listen, 'guest')
  c.cleanups.push(() => client.socket.destroy())
  await client.waitLine(l => l.startsWith('*** Welcome'), 5000, 'welcome')
  const joined = await far.waitFor(e => e.event === 'presence' && e.state === 'join' && e.nick === 'guest-1', AT_ONCE_MS, 'guest join')
  t.deepEqual([joined.peer, joined.via, joined.room], [gw.id, 'gw', 'lobby'], 'the guest joins under the gateway key, via its nick')
  client.socket.write('/nick carol\n')
  const renamed = await far.waitFor(e => e.event === 'nick' && e.nick === 'carol', AT_ONCE_MS, 'guest rename')
  t.deepEqual([renamed.peer, renamed.old, renamed.via], [gw.id, 'guest-1', 'gw'], 'rename names the old guest name and the gateway')
  const who = await ask(far, '/who', 'members')
  const guest = who.members.find((m: Event) => m.nick === 'carol')
  t.ok(guest && guest.via === 'gw' && guest.peer === gw.id, '/who lists the guest with via')
  t.notOk(who.members.some((m: Event) => m.nick === 'guest-1'), '/who no longer lists the old guest name')
  client.socket.write('/quit\n')
  const left = await far.waitFor(e => e.event === 'presence' && e.state === 'leave' && e.nick === 'carol', AT_ONCE_MS, 'guest leave')
  t.deepEqual([left.peer, left.via, left.reason], [gw.id, 'gw', 'quit'], 'the guest leaves, reason quit')
  const after = await ask(far, '/who', 'members')
  t.ok(after.members.some((m: Event) => m.peer === gw.id && m.via === undefined), 'the gateway itself is still there')
})
