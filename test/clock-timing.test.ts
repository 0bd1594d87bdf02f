// The core's deadlines on a ManualClock: keep-alive, liveness, the handshake
// deadline, the rate-limit grace, presence timeout, redial backoff, score
// recovery and bans. Time moves only when the test says so; frames still
// cross memory links on later turns of the event loop.
import test from 'tape'
import { MeshNode } from '../lib/core/node'
import type { NodeOptions } from '../lib/core/options'
import type { Fault, PresenceChange } from '../lib/core/types'
import { ManualClock } from '../lib/core/clock'
import { DialTarget } from '../lib/core/dial-target'
import { Backoff } from '../lib/core/backoff'
import { LinkSession, PEER_SCORE_RECOVERY_PER_MIN } from '../lib/core/link-session'
import { Bans } from '../lib/core/bans'
import { NOTE_INTERVAL_MS } from '../lib/core/link-table'
import { TokenBucket } from '../lib/core/token-bucket'
import { SharedBudget } from '../lib/core/send-budget'
import { OWN_FIRST_BURST } from '../lib/core/author-limits'
import { memoryLinkPair } from '../lib/transport/memory'
import { generateKeyPair } from '../lib/protocol/crypto'
import { FrameType } from '../lib/protocol/frames'
import { MessageKind } from '../lib/protocol/envelope'
import { encodePresence, PresenceState } from '../lib/protocol/payloads'
import { rawPeer, chat } from './helpers/raw-peer'

/** Lets queued link frames cross (they travel on setImmediate turns, not on the clock). */
const turns = async (n = 5) => { for (let i = 0; i < n; i++) await new Promise(resolve => setImmediate(resolve)) }

const TIMING = { tickMs: 100, keepAliveMs: 1000, idleTimeoutMs: 3000, helloTimeoutMs: 2000, presenceIntervalMs: 10_000, presenceTimeoutMs: 25_000, rateLimitGraceMs: 2000 }

function clocked (t: test.Test, opts: Partial<NodeOptions> = {}) {
  const clock = new ManualClock(Date.now())
  const node = new MeshNode({ keyPair: generateKeyPair(), nick: 'n', clock, timing: TIMING, ...opts })
  node.setListenAddress('127.0.0.1:1000')
  const faults: Fault[] = []
  node.on('fault', f => faults.push(f))
  node.start()
  t.teardown(() => node.close())
  return { clock, node, faults }
}

test('keep-alive and liveness run on the clock: a ping after keepAliveMs of quiet, a silent link closed after idleTimeoutMs', async (t) => {
  // No presence: its announcement would count as traffic and move the ping.
  const { clock, node, faults } = clocked(t, { timing: { ...TIMING, presenceIntervalMs: 0 } })
  const peer = rawPeer(node)
  peer.hello()
  await turns()
  const pings = () => peer.frames.filter(f => f[0] === FrameType.PING).length
  clock.advance(TIMING.keepAliveMs - 200)
  await turns()
  t.equal(pings(), 0, 'no ping before keepAliveMs')
  clock.advance(300)
  await turns()
  t.equal(pings(), 1, 'one ping once keepAliveMs passed')
  t.notOk(peer.link.closed, 'still up before idleTimeoutMs')
  clock.advance(TIMING.idleTimeoutMs)
  await turns()
  t.ok(peer.link.closed, 'closed after idleTimeoutMs of silence')
  t.ok(faults.some(f => f.code === 'LINK_TIMEOUT'), 'coded LINK_TIMEOUT')
})

test('a link that never sends HELLO is closed at helloTimeoutMs, not before', async (t) => {
  const { clock, node, faults } = clocked(t)
  const peer = rawPeer(node)
  clock.advance(TIMING.helloTimeoutMs - 100)
  await turns()
  t.notOk(peer.link.closed, 'open just before the deadline')
  clock.advance(300)
  await turns()
  t.ok(peer.link.closed && faults.some(f => f.code === 'HANDSHAKE_TIMEOUT'), 'closed with HANDSHAKE_TIMEOUT after it')
})

test('rate-limit grace: excess dropped at once, the link closed only after rateLimitGraceMs over the limit', async (t) => {
  const { clock, node, faults } = clocked(t, { ratePerSecond: 10, rateBurst: 10 })
  const peer = rawPeer(node)
  peer.hello()
  await turns()
  const ping = Buffer.from([FrameType.PING])
  for (let i = 0; i < 30; i++) peer.link.send(ping)
  await turns()
  t.ok(faults.some(f => f.code === 'RATE_LIMITED') && !peer.link.closed, 'over the limit: dropped, not closed')
  for (let ms = 0; ms <= TIMING.rateLimitGraceMs + 200 && !peer.link.closed; ms += 100) {
    clock.advance(100)
    for (let i = 0; i < 5; i++) peer.link.send(ping)
    await turns()
  }
  t.ok(peer.link.closed, 'closed after staying over the limit for the grace period')
})

test('presence: a member not heard from for presenceTimeoutMs leaves /who', async (t) => {
  const { clock, node } = clocked(t)
  const peer = rawPeer(node)
  peer.hello()
  await turns()
  const changes: PresenceChange[] = []
  node.on('presence', c => changes.push(c))
  const member = generateKeyPair()
  const ts = clock.now()
  peer.link.send(chat(member, '', { kind: MessageKind.PRESENCE, ts, expires: ts + 60_000, payload: encodePresence({ state: PresenceState.HERE, listen: '' }) }).frame)
  await turns()
  const hex = member.publicKey.toString('hex')
  t.ok(node.who().some(m => m.peer === hex), 'listed after its announcement')
  clock.advance(TIMING.presenceTimeoutMs - 1000)
  await turns()
  t.ok(node.who().some(m => m.peer === hex), 'still listed before the timeout')
  clock.advance(2000)
  await turns()
  t.notOk(node.who().some(m => m.peer === hex), 'dropped after the timeout')
  t.deepEqual(changes.map(c => [c.peer === hex, c.state]), [[true, 'join'], [true, 'leave']], 'join, then leave')
})

test('redial backoff: a --peer target is retried at min, 2 x min, 4 x min ... up to max, on the clock', async (t) => {
  const clock = new ManualClock(0)
  const attempts: number[] = []
  const target = new DialTarget('127.0.0.1:9', {
    dial: async () => { attempts.push(clock.now()); throw new Error('refused') },
    isUp: () => false,
    onSelf: () => {},
    clock
  }, new Backoff({ minMs: 100, maxMs: 400, jitter: 0, random: () => 0 }))
  target.start()
  // 1 ms steps: a failure is seen at most 1 ms after its attempt.
  for (let i = 0; i < 1200; i++) { clock.advance(1); await turns(2) }
  target.stop()
  const gaps = attempts.slice(1).map((a, i) => a - attempts[i])
  t.equal(attempts[0], 0, 'the first dial at once')
  t.deepEqual(gaps.map(g => [100, 200, 400, 400].find(x => g >= x && g <= x + 2) ?? g), [100, 200, 400, 400], `gaps double up to the maximum: ${gaps.join(', ')}`)
})

test('score recovers per quiet minute; a ban lifts after banMs; a token bucket refills with time', (t) => {
  const clock = new ManualClock(0)
  const now = () => clock.now()
  const [link] = memoryLinkPair(generateKeyPair().publicKey, 'a:1', generateKeyPair().publicKey, 'b:1')
  const s = new LinkSession(link, null, { rate: 1, burst: 1, maxQueuedBytes: 1000, newAuthors: () => new TokenBucket(1, 1, now), newMessages: () => new TokenBucket(1, 1, now), youngMessages: () => new TokenBucket(1, 1, now), now })
  s.blame(50)
  clock.advance(59_000)
  t.equal(s.score, -50, 'no recovery within the first minute')
  clock.advance(1000)
  t.equal(s.score, -50 + PEER_SCORE_RECOVERY_PER_MIN, 'one quiet minute recovers its points')
  clock.advance(10 * 60_000)
  t.equal(s.score, 0, 'never above 0')
  const bans = new Bans(now, 5000)
  bans.ban('k', '10.0.0.1')
  clock.advance(4999)
  t.ok(bans.has('k') && bans.has('10.0.0.1'), 'banned until banMs')
  clock.advance(2)
  t.notOk(bans.has('k'), 'lifted after banMs')
  const bucket = new TokenBucket(2, 2, now)
  t.deepEqual([bucket.take(), bucket.take(), bucket.take()], [true, true, false], 'burst of 2')
  clock.advance(500)
  t.deepEqual([bucket.take(), bucket.take()], [true, false], 'one token per 500 ms at 2/s')
  t.end()
})

test('a peer fault is reported once per code per link per NOTE_INTERVAL_MS; the next report counts the rest', async (t) => {
  // A long idle timeout: the link must outlive the quiet interval.
  const { clock, node, faults } = clocked(t, { timing: { ...TIMING, idleTimeoutMs: 60_000, presenceIntervalMs: 0 } })
  const peer = rawPeer(node)
  peer.hello()
  await turns()
  const forged = (i: number) => chat(generateKeyPair(), `forged ${i}`, { author: peer.kp.publicKey, ts: clock.now(), expires: clock.now() + 60_000 }).frame
  for (let i = 0; i < 3; i++) peer.link.send(forged(i))
  await turns()
  const bad = () => faults.filter(f => f.code === 'BAD_SIGNATURE')
  t.equal(bad().length, 1, 'three bad signatures, one line')
  clock.advance(NOTE_INTERVAL_MS)
  peer.link.send(forged(3))
  await turns()
  t.equal(bad().length, 2, 'the next interval reports again')
  t.match(bad()[1].message, /2 more like it/, 'counting the two it did not print')
  t.match(bad()[1].message, /score -40/, 'while every one of them lowered the score')
})

test('a node\'s own budget starts at OWN_FIRST_BURST and drops to it at its first message after a link came up, then refills', (t) => {
  const clock = new ManualClock(0)
  const budget = new SharedBudget(45, 18, clock, OWN_FIRST_BURST)
  const drain = () => { let n = 0; while (budget.ready() && n < 100) { budget.take(); n++ } return n }
  t.equal(drain(), OWN_FIRST_BURST, `at start: ${OWN_FIRST_BURST}, what a relay meeting this node lets in at once`)
  clock.advance(1000)
  budget.capAtNextSend(OWN_FIRST_BURST)
  t.equal(drain(), 18, 'a cap waits for the next message signed: until then the whole burst is there')
  clock.advance(1000)
  budget.capAtNextSend(OWN_FIRST_BURST)
  budget.sending()
  t.equal(drain(), OWN_FIRST_BURST, `signing one after a link came up leaves ${OWN_FIRST_BURST}`)
  budget.sending()
  clock.advance(1000)
  t.equal(drain(), 18, 'the cap is spent once; the budget refills to its burst')
  t.end()
})
