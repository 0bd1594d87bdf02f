// The built bin as real processes on 127.0.0.1: the mesh as a user meets it.
import test from 'tape'
import net from 'net'
import SecretStream from '@hyperswarm/secret-stream'
import { Cluster, drainLinks, isDrainMarker, runBin, tempDir, type Proc } from './helpers/proc'
import { generateKeyPair } from '../lib/protocol/crypto'
import { encodeHello } from '../lib/protocol/frames'
import { MAX_FRAME_BYTES } from '../lib/protocol/limits'
import { seeded } from './helpers/mesh'
import { freeTcpPort } from './helpers/ports'

const NOPEX = ['--no-pex']

test('a 5-node chain: the ends talk through three relays', async (t) => {
  t.timeoutAfter(30_000)
  const c = new Cluster(t)
  const nodes: Proc[] = [await c.start({ name: 'n0', args: NOPEX })]
  for (let i = 1; i < 5; i++) nodes.push(await c.start({ name: `n${i}`, args: [...NOPEX, '--peer', nodes[i - 1].listen] }))
  for (let i = 1; i < 5; i++) await nodes[i].waitPeerUp(nodes[i - 1].id)
  nodes[0].send('hello from the west end')
  const got = await nodes[4].waitMessage('hello from the west end')
  t.equal(got.hops, 4, 'four hops to the far end')
  t.equal(got.from, nodes[0].id, 'author is n0')
  t.equal(got.nick, 'n0')
  nodes[4].send('and back from the east')
  const back = await nodes[0].waitMessage('and back from the east')
  t.equal(back.hops, 4)
  const own = nodes[0].messages('hello from the west end')
  t.equal(own.length, 1, 'sender has one event for its own message')
  t.ok(own[0].self && own[0].hops === 0, 'marked self, hops 0')
})

test('a triangle: every message arrives once at every node', async (t) => {
  t.timeoutAfter(30_000)
  const c = new Cluster(t)
  const a = await c.start({ name: 'a', args: NOPEX })
  const b = await c.start({ name: 'b', args: [...NOPEX, '--peer', a.listen] })
  const cc = await c.start({ name: 'c', args: [...NOPEX, '--peer', a.listen, '--peer', b.listen] })
  await cc.waitPeerUp(a.id); await cc.waitPeerUp(b.id); await b.waitPeerUp(a.id)
  for (const p of [a, b, cc]) p.send(`from ${p.name}`)
  for (const p of [a, b, cc]) for (const q of [a, b, cc]) await p.waitMessage(`from ${q.name}`)
  // Later markers over every link, so any second copy would be in by now.
  await drainLinks([a, b, cc])
  for (const p of [a, b, cc]) {
    const ids = p.messages().filter(m => !isDrainMarker(m)).map(m => m.id)
    t.equal(ids.length, 3, `${p.name} has 3 messages`)
    t.equal(new Set(ids).size, 3, `${p.name} saw no duplicate`)
    const markers = p.messages().filter(isDrainMarker).map(m => m.id)
    t.equal(markers.length, new Set(markers).size, `${p.name} got each marker once too`)
  }
})

test('mutual dialling leaves one link and one peer-up on each side', async (t) => {
  t.timeoutAfter(30_000)
  const c = new Cluster(t)
  const [pa, pb] = [await freeTcpPort(), await freeTcpPort()]
  const [a, b] = await Promise.all([
    c.start({ name: 'a', args: [...NOPEX, '--listen', `127.0.0.1:${pa}`, '--peer', `127.0.0.1:${pb}`] }),
    c.start({ name: 'b', args: [...NOPEX, '--listen', `127.0.0.1:${pb}`, '--peer', `127.0.0.1:${pa}`] })
  ])
  await a.waitPeerUp(b.id)
  await b.waitPeerUp(a.id)
  a.send('one link please')
  await b.waitMessage('one link please')
  // The losing duplicate closes once the winner finished its handshake: poll (bounded) until it has.
  let links = [0, 0]
  for (let i = 0; i < 50; i++) {
    links = [(await a.askPeers()).links, (await b.askPeers()).links]
    if (links[0] === 1 && links[1] === 1) break
    await new Promise(resolve => setTimeout(resolve, 100))
  }
  t.equal(links[0], 1, 'a has one link')
  t.equal(links[1], 1, 'b has one link')
  t.equal(a.events.filter(e => e.event === 'peer-up').length, 1, 'one peer-up on a')
  t.equal(b.events.filter(e => e.event === 'peer-down').length, 0, 'no peer-down on b')
})

test('a restarted --peer target is redialled; a killed middle node is bypassed by peer exchange', async (t) => {
  t.timeoutAfter(40_000)
  const c = new Cluster(t)
  const dataDir = tempDir()
  const a = await c.start({ name: 'a', dataDir })
  const b = await c.start({ name: 'b', args: ['--peer', a.listen] })
  const cc = await c.start({ name: 'c', args: ['--peer', b.listen] })
  await cc.waitPeerUp(b.id)
  // c learns a's address from b and links to it on its own (fewer than --min-links links).
  const viaPex = await cc.waitPeerUp(a.id, 10_000)
  t.equal(viaPex.address, a.listen, 'c linked to a (never named to it) at the address peer exchange gave')
  await b.kill('SIGKILL')
  await cc.waitFor(e => e.event === 'peer-down' && e.peer === b.id, 10_000, 'b down')
  a.send('b is gone')
  t.equal((await cc.waitMessage('b is gone')).hops, 1, 'a and c still talk, directly')
  // Restart a on the same address and identity: c redials it.
  await a.kill('SIGKILL')
  await cc.waitFor(e => e.event === 'peer-down' && e.peer === a.id, 10_000, 'a down')
  const a2 = await c.start({ name: 'a2', dataDir, args: ['--listen', a.listen] })
  t.equal(a2.id, a.id, 'same identity after restart')
  const ups = () => cc.events.filter(e => e.event === 'peer-up' && e.peer === a.id).length
  await cc.waitFor(() => ups() === 2, 10_000, 'second peer-up for a')
  a2.send('back again')
  t.equal((await cc.waitMessage('back again')).from, a.id, 'restarted target redialled and talking')
})

test('random bytes and an oversized frame close only the offending connection', async (t) => {
  t.timeoutAfter(30_000)
  const c = new Cluster(t)
  const a = await c.start({ name: 'a', args: NOPEX })
  const b = await c.start({ name: 'b', args: [...NOPEX, '--peer', a.listen] })
  await a.waitPeerUp(b.id)
  const [host, port] = [a.listen.split(':')[0], Number(a.listen.split(':')[1])]
  // 1. Random bytes instead of a Noise handshake.
  const random = seeded(1)
  const junk = Buffer.alloc(4096)
  for (let i = 0; i < junk.length; i++) junk[i] = Math.floor(random() * 256)
  const closedJunk = await new Promise<boolean>((resolve) => {
    const s = net.connect(port, host, () => s.write(junk))
    s.on('error', () => {})
    s.on('close', () => resolve(true))
    setTimeout(() => { s.destroy(); resolve(false) }, 8000).unref()
  })
  t.ok(closedJunk, 'node closed the connection that sent random bytes')
  // 2. A real Noise link that sends a HELLO and then a frame just over 64 KiB
  // (far bigger ones are cut off on the wire: test/adversary/preauth.test.ts).
  const kp = generateKeyPair()
  const socket = net.connect(port, host)
  const stream = new SecretStream(true, socket, { keyPair: kp })
  stream.on('error', () => {})
  t.teardown(() => stream.destroy())
  await new Promise(resolve => stream.once('connect', resolve))
  stream.write(encodeHello({ version: 1, nick: 'evil', listen: '', rooms: ['lobby'], flags: 0 }))
  await a.waitPeerUp(kp.publicKey.toString('hex'))
  stream.write(Buffer.alloc(MAX_FRAME_BYTES + 1, 4))
  const fault = await a.waitFor(e => e.event === 'error' && e.code === 'FRAME_TOO_LARGE', 10_000, 'FRAME_TOO_LARGE')
  t.ok(fault.message.includes('65536'), 'the error names the limit')
  await a.waitFor(e => e.event === 'peer-down' && e.peer === kp.publicKey.toString('hex'), 5000, 'evil down')
  b.send('still here')
  t.equal((await a.waitMessage('still here')).from, b.id, 'the good link still carries messages')
  t.equal(a.child.exitCode, null, 'the node is still running')
})

test('a peer that goes silent is dropped by the keep-alive, then redialled', async (t) => {
  t.timeoutAfter(30_000)
  const c = new Cluster(t)
  const a = await c.start({ name: 'a', args: NOPEX })
  const b = await c.start({ name: 'b', args: [...NOPEX, '--peer', a.listen] })
  await b.waitPeerUp(a.id)
  a.child.kill('SIGSTOP')
  t.teardown(() => { try { a.child.kill('SIGCONT') } catch {} })
  const down = await b.waitFor(e => e.event === 'peer-down', 10_000, 'peer-down after silence')
  t.ok(/silent/.test(down.reason), `reason says silent: ${down.reason}`)
  a.child.kill('SIGCONT')
  await b.waitFor(() => b.events.filter(e => e.event === 'peer-up').length === 2, 10_000, 'redialled')
  t.deepEqual(b.events.filter(e => e.event === 'peer-up').map(e => e.peer), [a.id, a.id], 'redialled the same peer after it came back')
})

test('headless: TEXT_TOO_LONG, unknown commands, /quit and signals', async (t) => {
  t.timeoutAfter(30_000)
  const c = new Cluster(t)
  const a = await c.start({ name: 'a', args: NOPEX })
  const b = await c.start({ name: 'b', args: [...NOPEX, '--peer', a.listen] })
  await b.waitPeerUp(a.id)
  a.send('x'.repeat(5000))
  const err = await a.waitFor(e => e.event === 'error' && e.code === 'TEXT_TOO_LONG', 5000, 'TEXT_TOO_LONG')
  t.ok(/4096/.test(err.message), 'names the limit')
  a.send('/frobnicate')
  t.ok(await a.waitFor(e => e.event === 'error' && e.code === 'UNKNOWN_COMMAND', 5000, 'UNKNOWN_COMMAND'))
  a.send('/connect nowhere')
  t.ok(await a.waitFor(e => e.event === 'error' && e.code === 'BAD_ADDRESS', 5000, 'BAD_ADDRESS'))
  a.send('after the errors')
  await b.waitMessage('after the errors')
  t.equal(b.messages().length, 1, 'only the valid line reached the peer')
  a.child.stdin!.end()
  b.send('stdin closed on a')
  t.equal((await a.waitMessage('stdin closed on a')).from, b.id, 'a still receives after its stdin ended')
  t.equal(a.child.exitCode, null, 'end of stdin does not stop the node')
  t.equal((await a.kill('SIGINT')).code, 0, 'SIGINT exits 0')
  t.equal((await b.kill('SIGTERM')).code, 0, 'SIGTERM exits 0')
  const q = await c.start({ name: 'q', args: NOPEX })
  q.send('/quit')
  t.equal((await q.exited).code, 0, '/quit exits 0')
})

test('bad options exit 2 naming the value; a busy address exits 1', async (t) => {
  t.timeoutAfter(30_000)
  const dir = tempDir()
  const cases: Array<[string[], RegExp]> = [
    [['--listen', '127.0.0.1:70000'], /--listen '127\.0\.0\.1:70000'.*65535/],
    [['--listen', 'nonsense'], /--listen 'nonsense'/],
    [['--peer', '127.0.0.1:'], /--peer '127\.0\.0\.1:'/],
    [['--ttl', '0'], /--ttl '0'/],
    [['--max-links', 'many'], /--max-links 'many'/],
    [['--nick', 'has space'], /--nick 'has space'/],
    [['--bogus'], /unknown option '--bogus'/]
  ]
  for (const [args, re] of cases) {
    const r = await runBin(['--headless', '--data-dir', dir, ...args])
    t.equal(r.code, 2, `${args.join(' ')} exits 2`)
    t.match(r.stderr.trim(), re, `stderr names it: ${r.stderr.trim()}`)
    t.equal(r.stderr.trim().split('\n').length, 1, 'one line')
  }
  const blocker = net.createServer()
  await new Promise<void>(resolve => blocker.listen(0, '127.0.0.1', resolve))
  t.teardown(() => blocker.close())
  const port = (blocker.address() as net.AddressInfo).port
  const r = await runBin(['--headless', '--data-dir', dir, '--listen', `127.0.0.1:${port}`])
  t.equal(r.code, 1, 'address in use exits 1')
  t.equal(r.stderr.trim(), `meshchat: cannot listen on 127.0.0.1:${port}: address already in use`)
  const help = await runBin(['--help'])
  t.equal(help.code, 0, '--help exits 0')
  t.match(help.stdout, /--listen <host:port>/)
  const version = await runBin(['--version'])
  t.equal(version.stdout.trim(), require('../package.json').version)
})

test('--data-dir is created with parents; the identity is kept 0600 and reused; a damaged one exits 1', async (t) => {
  t.timeoutAfter(20_000)
  const c = new Cluster(t)
  const fs = require('fs') as typeof import('fs')
  const path = require('path') as typeof import('path')
  const dir = path.join(tempDir(), 'deep', 'er', 'meshchat')
  const a = await c.start({ name: 'a', dataDir: dir, args: NOPEX })
  const file = path.join(dir, 'identity.json')
  t.equal(fs.statSync(file).mode & 0o777, 0o600, 'identity file mode 0600')
  t.equal(JSON.parse(fs.readFileSync(file, 'utf8')).publicKey, a.id, 'the key on disk is the node id')
  await a.kill()
  const again = await c.start({ name: 'again', dataDir: dir, args: NOPEX })
  t.equal(again.id, a.id, 'same identity on the next start')
  await again.kill()
  fs.writeFileSync(file, '{"publicKey":"00","secretKey":"11"}')
  const r = await runBin(['--headless', '--data-dir', dir, '--listen', '127.0.0.1:0'])
  t.equal(r.code, 1, 'damaged identity exits 1')
  t.match(r.stderr, /identity\.json holds a damaged key pair/, r.stderr.trim())
})
