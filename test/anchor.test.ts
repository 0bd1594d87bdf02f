// --anchor: the classic server log on stdout (each line after an ISO time),
// JSON with --headless, exit 0 on SIGTERM/SIGINT. Real bin processes on loopback.
import { EventEmitter } from 'events'
import { Writable } from 'stream'
import test from 'tape'
import { AnchorLog } from '../lib/ui/anchor-log'
import type { ChatNode } from '../lib/core/types'
import { Cluster, FAST_TIMING, tempDir, type Proc } from './helpers/proc'
import { LineClient } from './helpers/line-client'
import { collidingKeyPairs, writeIdentity } from './helpers/colliding-keys'

const tag = (p: Proc) => `${p.ready.nick}#${p.id.slice(0, 4)}`
const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
const STAMP = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z) /
/** A log line without its ISO time ('' for a line without one, which no assertion expects). */
const body = (line: unknown) => STAMP.test(String(line)) ? String(line).replace(STAMP, '') : ''

/** Starts an anchor (log mode) and reads its start-up lines. */
async function startAnchor (cluster: Cluster, extra: string[] = [], dataDir = tempDir()) {
  // No --nick: an anchor is called `anchor` by default.
  const p = cluster.spawnRaw(['--anchor', '--listen', '127.0.0.1:0', '--data-dir', dataDir,
    '--timing', JSON.stringify(FAST_TIMING), ...extra], 'anchor')
  /** A log line matching `re` after its ISO time. */
  const logLine = (re: RegExp, what = String(re)) =>
    p.waitFor(e => e.event === 'non-json' && re.test(body(e.line)), 10_000, what).then(e => re.exec(body(e.line))!)
  /** The next log line (after its time) that `pred` picks out loosely, for the test to assert on exactly. */
  const line = (pred: (l: string) => boolean, what: string): Promise<string> =>
    p.waitFor(e => e.event === 'non-json' && pred(body(e.line)), 10_000, what).then(e => body(e.line))
  const [, label, listen] = await logLine(/^meshchat anchor (anchor#[0-9a-f]{4}) listening on (\S+), room #lobby$/, 'start-up line')
  return { p, label, listen, logLine, line }
}

test('--anchor logs messages with the sender address, joins and leaves; exits 0 on SIGTERM', async (t) => {
  t.timeoutAfter(20_000)
  const cluster = new Cluster(t)
  const anchor = await startAnchor(cluster, ['--text-listen', '127.0.0.1:0'])
  const [, gwAddress] = await anchor.logLine(/^text gateway listening on (\S+)$/)
  t.ok(anchor.p.events.every(e => e.event === 'non-json'), 'no JSON in log mode')

  const bob = await cluster.start({ name: 'bob', args: ['--peer', anchor.listen] })
  t.equal(await anchor.line(l => l.endsWith(' joined'), 'join line'), `${bob.listen} ${tag(bob)} joined`, 'join line: address, nick#tag')

  bob.send('hello anchor')
  t.equal(await anchor.line(l => l.endsWith('hello anchor'), 'message line'), `${bob.listen} ${tag(bob)}: hello anchor`, 'message line carries the sender address and nick#tag')

  bob.send('\u001b[2Jcleared?')
  await anchor.logLine(/: cleared\?$/, 'sanitised line')
  t.notOk(anchor.p.events.some(e => String(e.line).includes('\u001b')), 'escape sequences never reach the log')

  const guest = await LineClient.connect(gwAddress, 'guest')
  cluster.cleanups.push(() => guest.destroy())
  await guest.waitLine(l => l.startsWith('*** Welcome'))
  await anchor.logLine(new RegExp(`^127\\.0\\.0\\.1:${guest.socket.localPort} guest-1 joined the text gateway$`), 'guest join line')
  guest.send('from a plain client')
  t.equal(await anchor.line(l => l.endsWith('from a plain client'), 'guest message line'), `${anchor.listen} guest-1 via ${anchor.label}: from a plain client`, 'guest lines show the gateway address and "guest via gw#tag"')
  t.equal((await bob.waitMessage('from a plain client')).via, 'anchor', 'the mesh node gets the guest line')

  await bob.kill('SIGTERM')
  const left = await anchor.line(l => l.includes(' left '), 'leave line')
  t.match(left, new RegExp(`^${esc(bob.listen)} ${esc(tag(bob))} left \\(.+\\)$`), 'leave line names bob and a reason')

  const status = await anchor.p.kill('SIGTERM')
  t.equal(status.code, 0, 'exit status 0 on SIGTERM')
  await guest.waitClosed(5000)
  t.ok(guest.lines.includes('*** the gateway is shutting down'), 'gateway clients are told, then closed')
  const lines = anchor.p.events.map(e => String(e.line))
  t.equal(body(lines[lines.length - 1]), `meshchat anchor ${anchor.label} shutting down (SIGTERM)`, 'the last line logs the shutdown and why')
  t.ok(lines.every(l => STAMP.test(l)), 'every line starts with an ISO time')
  const times = lines.map(l => Date.parse(STAMP.exec(l)![1]))
  t.ok(times.every((v, i) => i === 0 || v >= times[i - 1]), 'in order')
})

test('--anchor shows "-" for an author that is not a direct peer; exits 0 on SIGINT', async (t) => {
  t.timeoutAfter(20_000)
  const cluster = new Cluster(t)
  const anchor = await startAnchor(cluster, ['--no-pex'])
  const mid = await cluster.start({ name: 'mid', args: ['--peer', anchor.listen, '--no-pex'] })
  const far = await cluster.start({ name: 'far', args: ['--peer', mid.listen, '--no-pex'] })
  await far.waitPeerUp(mid.id)
  await anchor.logLine(new RegExp(`${esc(tag(mid))} joined$`))
  far.send('from far away')
  t.equal(await anchor.line(l => l.endsWith('from far away'), 'relayed message line'), `- ${tag(far)}: from far away`, 'relayed message from a non-neighbour logs "-" as its address')
  t.notOk(anchor.p.events.some(e => String(e.line).includes(`${tag(far)} joined`)), 'a non-neighbour never "joined"')
  t.equal((await anchor.p.kill('SIGINT')).code, 0, 'exit status 0 on SIGINT')
})

test('--anchor --headless writes the JSON events instead of the log', async (t) => {
  t.timeoutAfter(15_000)
  const cluster = new Cluster(t)
  const anchor = await cluster.start({ name: 'anchor', args: ['--anchor', '--text-listen', '127.0.0.1:0'] })
  t.equal(anchor.ready.nick, 'anchor', 'ready event')
  const gw = await anchor.waitFor(e => e.event === 'text-listen', 5000, 'text-listen')
  const bob = await cluster.start({ name: 'bob', args: ['--peer', anchor.listen] })
  await anchor.waitPeerUp(bob.id)
  bob.send('json please')
  const m = await anchor.waitMessage('json please')
  t.equal(m.from, bob.id, 'message event')
  t.match(gw.listen, /^127\.0\.0\.1:\d+$/, 'text-listen event')
  t.notOk(anchor.events.some(e => e.event === 'non-json'), 'nothing but JSON on stdout')
  t.equal((await anchor.kill('SIGTERM')).code, 0, 'exit status 0')
})

test('an anchor started late learns the room through sync and logs it marked (history)', async (t) => {
  t.timeoutAfter(20_000)
  const cluster = new Cluster(t)
  const bob = await cluster.start({ name: 'bob' })
  bob.send('said before the anchor')
  const anchor = await startAnchor(cluster, ['--peer', bob.listen])
  t.equal(await anchor.line(l => l.includes('said before the anchor'), 'history line'), `${bob.listen} ${tag(bob)}: said before the anchor (history)`, 'history line marked')
  bob.send('said live')
  t.equal(await anchor.line(l => l.includes('said live'), 'live line'), `${bob.listen} ${tag(bob)}: said live`, 'live line unmarked')
})

test('look-alike keys: two bobs sharing 4 hex digits get different labels in the gateway and the anchor log', async (t) => {
  t.timeoutAfter(20_000)
  const cluster = new Cluster(t)
  const [ka, kb] = collidingKeyPairs()
  const anchor = await startAnchor(cluster, ['--text-listen', '127.0.0.1:0'])
  const [, gwAddress] = await anchor.logLine(/^text gateway listening on (\S+)$/)
  const guest = await LineClient.connect(gwAddress, 'guest')
  cluster.cleanups.push(() => guest.destroy())
  await guest.waitLine(l => l.startsWith('*** Welcome'))
  const bobs = [
    await cluster.start({ name: 'bob', dataDir: writeIdentity(tempDir(), ka), args: ['--peer', anchor.listen] }),
    await cluster.start({ name: 'bob', dataDir: writeIdentity(tempDir(), kb), args: ['--peer', anchor.listen] })
  ]
  t.equal(bobs[0].id.slice(0, 4), bobs[1].id.slice(0, 4), `both keys start ${bobs[0].id.slice(0, 4)}`)
  for (const b of bobs) await anchor.logLine(new RegExp(`^${esc(b.listen)} bob#${b.id.slice(0, 4)}[0-9a-f]* joined$`), 'join line')
  bobs[0].send('I am the real bob')
  bobs[1].send('no, I am the real bob')
  const logged = await Promise.all(['I am the real bob', 'no, I am the real bob'].map(text =>
    anchor.logLine(new RegExp(`^\\S+ (bob#[0-9a-f]+): ${esc(text)}$`), `log of '${text}'`).then(m => m[1])))
  const shown = await Promise.all(['I am the real bob', 'no, I am the real bob'].map(text =>
    guest.waitLine(l => l.endsWith(`: ${text}`), 5000, text).then(l => l.slice(0, l.indexOf(':')))))
  t.notEqual(logged[0], logged[1], `the anchor log tells them apart: ${logged.join(' / ')}`)
  t.notEqual(shown[0], shown[1], `the gateway tells them apart: ${shown.join(' / ')}`)
  t.deepEqual(shown, logged, 'both front ends use the same labels')
  t.ok(logged.every((l, i) => bobs[i].id.startsWith(l.slice('bob#'.length)) && l.length > 'bob#'.length + 4), 'each a longer prefix of its own key')
})

test('the anchor log writes each message id once, ever: twice delivered, already in the history file, or across a restart', async (t) => {
  t.timeoutAfter(30_000)
  // The log on its own, fed the way two links' sync could feed it.
  const fake = Object.assign(new EventEmitter(), {
    id: 'a'.repeat(64), nick: 'anchor', room: 'lobby', listenAddress: '127.0.0.1:1', peers: () => [],
    label: (key: string, nick = '?') => `${nick}#${key.slice(0, 4)}`
  })
  const out: string[] = []
  const output = new Writable({ write (chunk, _enc, done) { out.push(...String(chunk).split('\n').filter(Boolean)); done() } })
  const log = new AnchorLog({ node: fake as unknown as ChatNode, output, knownIds: ['0'.repeat(64)], now: () => Date.UTC(2026, 0, 2, 3, 4, 5, 6) })
  log.start()
  const msg = (id: string, text: string) => ({ id, room: 'lobby', from: 'b'.repeat(64), nick: 'bob', text, ts: 0, hops: 2, self: false, history: true })
  fake.emit('message', msg('0'.repeat(64), 'in the history file'))
  fake.emit('message', msg('1'.repeat(64), 'synced'))
  fake.emit('message', msg('1'.repeat(64), 'synced'))
  fake.emit('message', msg('2'.repeat(64), 'marker'))
  log.stop('test')
  t.deepEqual(out.slice(1), [
    '2026-01-02T03:04:05.006Z - bob#bbbb: synced (history)',
    '2026-01-02T03:04:05.006Z - bob#bbbb: marker (history)',
    '2026-01-02T03:04:05.006Z meshchat anchor anchor#aaaa shutting down (test)'
  ], 'once per id; what the history file holds is never logged; time first')

  // And through real processes: a restarted anchor does not log its history again when peers sync it.
  const cluster = new Cluster(t)
  const dir = tempDir()
  const bob = await cluster.start({ name: 'bob' })
  bob.send('said once')
  const first = await startAnchor(cluster, ['--peer', bob.listen], dir)
  await first.line(l => l.includes('said once'), 'history line')
  const carol = await cluster.start({ name: 'carol', args: ['--peer', bob.listen, '--peer', first.listen] })
  await first.logLine(new RegExp(`${esc(tag(carol))} joined$`))
  t.equal((await first.p.kill('SIGTERM')).code, 0, 'first run ends')
  const second = await startAnchor(cluster, ['--peer', bob.listen, '--peer', carol.listen], dir)
  await second.logLine(new RegExp(`${esc(tag(bob))} joined$`))
  await second.logLine(new RegExp(`${esc(tag(carol))} joined$`))
  bob.send('after the restart')
  await second.line(l => l.endsWith('after the restart'), 'marker')
  t.notOk(second.p.events.some(e => String(e.line).includes('said once')), 'the restarted anchor logs nothing it logged before, though two links hold it')
})
