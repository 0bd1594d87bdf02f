// Starting a node, as a person meets it: the default port gives way to a
// free one, one data directory serves one process (a crashed one's lock is
// taken over), and start-up errors name the problem in one line. Real bin
// processes on loopback.
import fs from 'fs'
import net from 'net'
import path from 'path'
import { spawn } from 'child_process'
import test from 'tape'
import { Cluster, runBin, tempDir } from './helpers/proc'
import { DEFAULT_LISTEN } from '../bin/options'
import { LOCK_FILE } from '../lib/store/data-lock'
import { parseAddress } from '../lib/protocol/address'

/** Holds host:port for the test; resolves false when someone else holds it already (busy either way). */
function hold (t: test.Test, host: string, port: number): Promise<boolean> {
  return new Promise(resolve => {
    const s = net.createServer()
    s.once('error', () => resolve(false))
    s.listen(port, host, () => { t.teardown(() => new Promise<void>(r => s.close(() => r()))); resolve(true) })
  })
}

/** The pid of a process that has exited (for a stale lock). */
function deadPid (): Promise<number> {
  return new Promise(resolve => {
    const child = spawn(process.execPath, ['-e', ''], { stdio: 'ignore' })
    child.once('exit', () => resolve(child.pid!))
  })
}

test('without --listen a busy default port gives way to a free one and says so; an explicit --listen still exits 1', async (t) => {
  t.timeoutAfter(20_000)
  const cluster = new Cluster(t)
  const { host, port } = parseAddress(DEFAULT_LISTEN)
  await hold(t, host, port)
  const p = cluster.spawnRaw(['--headless', '--nick', 'second', '--data-dir', tempDir()], 'second')
  p.ready = await p.waitFor(e => e.event === 'ready', 10_000, 'ready')
  const listen = parseAddress(p.ready.listen)
  t.equal(listen.host, host, 'same host')
  t.notEqual(listen.port, port, `ready.listen has the real port (${listen.port})`)
  for (let i = 0; i < 50 && !p.stderr.some(l => l.includes('instead')); i++) await new Promise(resolve => setTimeout(resolve, 100))
  t.ok(p.stderr.includes(`meshchat: ${DEFAULT_LISTEN} is in use (another meshchat on this machine?); listening on ${p.ready.listen} instead (give --listen to choose)`), 'one stderr line says where it listens instead')
  // The node is really there: a second node links to it.
  const other = await cluster.start({ name: 'other', args: ['--peer', `127.0.0.1:${listen.port}`] })
  await other.waitPeerUp(p.ready.id)

  const explicit = await runBin(['--headless', '--listen', DEFAULT_LISTEN, '--data-dir', tempDir()])
  t.equal(explicit.code, 1, 'explicit --listen on the busy port exits 1')
  t.equal(explicit.stderr, `meshchat: cannot listen on ${DEFAULT_LISTEN}: address already in use\n`, 'naming the address')
})

test('a second process on one data dir exits 1 naming the pid; the lock goes away on exit; a dead pid\'s lock is taken over', async (t) => {
  t.timeoutAfter(20_000)
  const cluster = new Cluster(t)
  const dir = tempDir()
  const first = await cluster.start({ name: 'first', dataDir: dir })
  const second = await runBin(['--headless', '--listen', '127.0.0.1:0', '--data-dir', dir])
  t.equal(second.code, 1, 'exit 1')
  t.equal(second.stderr.split('\n')[0], `meshchat: data dir ${dir} is in use by pid ${first.child.pid}; run a second node with its own --data-dir (or remove ${path.join(dir, LOCK_FILE)} if no meshchat runs there)`, 'one line naming the directory and the pid')
  t.equal(second.stderr.split('\n').length, 2, 'and nothing else')
  t.equal((await first.kill('SIGTERM')).code, 0, 'the first exits 0')
  t.notOk(fs.existsSync(path.join(dir, LOCK_FILE)), 'its lock is removed on exit')

  fs.writeFileSync(path.join(dir, LOCK_FILE), `${await deadPid()}\n`)
  const third = await cluster.start({ name: 'third', dataDir: dir })
  t.equal(third.ready.id, first.ready.id, 'a lock left by a dead pid is taken over (same identity)')
  t.equal(fs.readFileSync(path.join(dir, LOCK_FILE), 'utf8'), `${third.child.pid}\n`, 'the lock now names the new process')
  await third.kill('SIGKILL')
  t.ok(fs.existsSync(path.join(dir, LOCK_FILE)), 'a killed process leaves its lock behind...')
  const fourth = await cluster.start({ name: 'fourth', dataDir: dir })
  t.equal(fourth.ready.id, first.ready.id, '...and the next start takes it over')
})

test('start-up errors name the problem in one line', async (t) => {
  t.timeoutAfter(20_000)
  const extra = await runBin(['extra-arg'])
  t.equal(extra.code, 2, 'an unexpected argument exits 2')
  t.equal(extra.stderr, 'meshchat: unexpected argument \'extra-arg\': meshchat takes only options (a peer goes after --peer, a room after --room); see meshchat --help\n', 'naming it')
  const two = await runBin(['--nick', 'al', 'ice'])
  t.match(two.stderr, /^meshchat: unexpected argument 'ice': /, 'a nick with a space: the stray word is named')

  const busy = net.createServer()
  await new Promise<void>(resolve => busy.listen(0, '127.0.0.1', () => resolve()))
  t.teardown(() => new Promise<void>(r => busy.close(() => r())))
  const address = `127.0.0.1:${(busy.address() as net.AddressInfo).port}`
  const text = await runBin(['--headless', '--listen', '127.0.0.1:0', '--data-dir', tempDir(), '--text-listen', address])
  t.equal(text.code, 1, 'a busy --text-listen exits 1')
  t.equal(text.stderr, `meshchat: cannot listen for text clients on ${address}: address already in use\n`, 'one line naming the address and the errno in words')
})

test('on a pipe, or with TERM=dumb, the node runs headless and says so on stderr', async (t) => {
  t.timeoutAfter(20_000)
  const cluster = new Cluster(t)
  const p = cluster.spawnRaw(['--nick', 'piped', '--listen', '127.0.0.1:0', '--data-dir', tempDir()], 'piped')
  p.ready = await p.waitFor(e => e.event === 'ready', 10_000, 'ready')
  for (let i = 0; i < 50 && p.stderr.length === 0; i++) await new Promise(resolve => setTimeout(resolve, 100))
  t.deepEqual(p.stderr, ['meshchat: stdout is not a terminal: running headless (JSON lines on stdout, commands on stdin); --headless makes this explicit'], 'one line says why')
  const explicit = await cluster.start({ name: 'explicit' })
  explicit.send('/quit')
  await explicit.exited
  t.deepEqual(explicit.stderr, [], '--headless: no note')
})
