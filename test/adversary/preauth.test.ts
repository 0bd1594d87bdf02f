// Unauthenticated attackers against a real --headless meshchat process: huge
// secret-stream lengths before the Noise handshake are cut off at once
// without the victim allocating them, and idle sockets from one address are
// capped, while honest peers keep linking and chatting.
import test from 'tape'
import fs from 'fs'
import net from 'net'
import { Cluster, FAST_TIMING, type Proc } from '../helpers/proc'
import { MAX_HANDSHAKING_PER_IP } from '../../lib/transport/handshake-gate'

/** The victim's handshake timeout: the real default, so "closed at once" means something. */
const HELLO_TIMEOUT_MS = 10_000
const VICTIM_TIMING = { ...FAST_TIMING, helloTimeoutMs: HELLO_TIMEOUT_MS }
const MiB = 1024 * 1024

function rssBytes (p: Proc): number {
  const status = fs.readFileSync(`/proc/${p.child.pid}/status`, 'utf8')
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) * 1024
}

type Raw = net.Socket & { closedAt?: number; openedAt: number }

function connectRaw (c: Cluster, address: string, localAddress: string): Promise<Raw> {
  const [host, port] = address.split(':')
  return new Promise((resolve, reject) => {
    const s = net.connect({ host, port: Number(port), localAddress }) as Raw
    s.openedAt = Date.now()
    c.cleanups.push(() => s.destroy())
    s.on('error', () => {})
    s.once('close', () => { s.closedAt = Date.now() })
    s.once('connect', () => resolve(s))
    s.once('error', reject)
  })
}

/** Sends ff ff ff then up to 16 MiB in 64 KiB chunks, stopping when the victim closes. Resolves with bytes written. */
async function flood (s: Raw): Promise<number> {
  const chunk = Buffer.alloc(64 * 1024, 0x5a)
  const closed = new Promise(resolve => { if (s.closedAt) resolve(null); else s.once('close', resolve) })
  s.write(Buffer.from([0xff, 0xff, 0xff]))
  let sent = 0
  for (let i = 0; i < 256 && s.closedAt === undefined && !s.destroyed; i++) {
    sent += chunk.length
    if (!s.write(chunk)) await Promise.race([new Promise(resolve => s.once('drain', resolve)), closed])
  }
  return sent
}

const errors = (p: Proc, code: string) => p.events.filter(e => e.event === 'error' && e.code === code)

test('adversary: 24 sockets announcing 16 MiB before the handshake are closed at once; RSS stays flat; an honest peer links', async (t) => {
  t.timeoutAfter(30_000)
  const c = new Cluster(t)
  const victim = await c.start({ name: 'victim', timing: VICTIM_TIMING })
  const honest = await c.start({ name: 'honest' })
  await new Promise(resolve => setTimeout(resolve, 300))
  const before = rssBytes(victim)
  let peak = before
  const poll = setInterval(() => { try { peak = Math.max(peak, rssBytes(victim)) } catch {} }, 20)
  c.cleanups.push(() => clearInterval(poll))

  // Each attacker from its own loopback address: it is the length guard, not the per-address cap, that must stop them.
  const sockets = await Promise.all(Array.from({ length: 24 }, (_, i) => connectRaw(c, victim.listen, `127.0.0.${10 + i}`)))
  const started = Date.now()
  const attack = Promise.all(sockets.map(flood))
  honest.send(`/connect ${victim.listen}`)
  const sent = await attack
  await Promise.all(sockets.map(s => new Promise(resolve => { if (s.closedAt) resolve(null); else s.once('close', resolve) })))
  const slowest = Math.max(...sockets.map(s => s.closedAt! - started))
  t.ok(slowest < 2000, `every attacking socket closed by the victim within ${slowest} ms (handshake timeout ${HELLO_TIMEOUT_MS} ms)`)
  t.ok(Math.max(...sent) < 16 * MiB, `no attacker got its 16 MiB through (most written: ${(Math.max(...sent) / MiB).toFixed(1)} MiB)`)

  await victim.waitPeerUp(honest.id, 10_000)
  honest.send('through the storm')
  const m = await victim.waitMessage('through the storm', 10_000)
  t.equal(m.nick, 'honest', 'the honest peer\'s message crossed during the attack')
  clearInterval(poll)
  peak = Math.max(peak, rssBytes(victim))
  const growth = (peak - before) / MiB
  t.ok(growth < 10, `victim RSS grew by ${growth.toFixed(1)} MiB (from ${(before / MiB).toFixed(1)} MiB), under 10 MiB`)
  const oversize = errors(victim, 'WIRE_FRAME_TOO_LARGE')
  t.ok(oversize.length >= 1 && oversize.length <= 2, `refusals reported as WIRE_FRAME_TOO_LARGE, rate-limited to ${oversize.length} line(s) for 24`)
  t.equal(victim.child.exitCode, null, 'the victim is still running')
})

test(`adversary: idle sockets over ${MAX_HANDSHAKING_PER_IP} from one address are closed at once; a peer from another address links`, async (t) => {
  t.timeoutAfter(30_000)
  const c = new Cluster(t)
  const victim = await c.start({ name: 'victim', timing: VICTIM_TIMING })
  const idle: Raw[] = []
  for (let i = 0; i < MAX_HANDSHAKING_PER_IP + 4; i++) idle.push(await connectRaw(c, victim.listen, '127.0.0.1'))
  const over = idle.slice(MAX_HANDSHAKING_PER_IP)
  await Promise.all(over.map(s => new Promise(resolve => { if (s.closedAt) resolve(null); else s.once('close', resolve) })))
  const slowest = Math.max(...over.map(s => s.closedAt! - s.openedAt))
  t.ok(slowest < 1000, `the 4 sockets over the cap were closed within ${slowest} ms`)

  const other = await c.start({ name: 'other', args: ['--listen', '127.0.0.2:0', '--peer', victim.listen] })
  t.ok(other.listen.startsWith('127.0.0.2:'), `second node on ${other.listen}`)
  const up = await victim.waitPeerUp(other.id, 10_000)
  t.ok(String(up.address).startsWith('127.0.0.2:'), 'it links from 127.0.0.2')
  other.send('from another address')
  const m = await victim.waitMessage('from another address', 10_000)
  t.equal(m.nick, 'other', 'and its message crosses')
  t.ok(idle.slice(0, MAX_HANDSHAKING_PER_IP).every(s => s.closedAt === undefined), `the first ${MAX_HANDSHAKING_PER_IP} idle sockets are still held (until the handshake timeout)`)
  t.equal(errors(victim, 'HANDSHAKE_LIMIT').length, 1, 'four refusals, one HANDSHAKE_LIMIT line (rate-limited)')
})
