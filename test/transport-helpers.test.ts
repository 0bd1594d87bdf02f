// Small transport helpers: rate-limited fault reporting, close with a
// deadline, errno text, and the per-address key of the handshake cap.
import test from 'tape'
import { FaultThrottle } from '../lib/transport/fault-throttle'
import { closeWithin } from '../lib/transport/close'
import { errnoText } from '../lib/transport/errno'
import { ipKey, HandshakeGate } from '../lib/transport/handshake-gate'
import { MeshError } from '../lib/protocol/errors'

const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms))

/**
 * A marker for "no interval timer fired": a second throttle with the same
 * interval, opened now, sums up its own faults; timers of one length fire in
 * the order they were set, so every window opened before it has ended by then.
 */
async function laterWindowEnded (intervalMs: number): Promise<void> {
  const got: string[] = []
  const marker = new FaultThrottle((_code, message) => got.push(message), intervalMs)
  marker.report(new MeshError('HANDSHAKE_LIMIT', 'marker'))
  marker.report(new MeshError('HANDSHAKE_LIMIT', 'marker'))
  while (got.length < 2) await sleep(5)
  marker.close()
}

test('fault throttle: one line per code per interval, then a line with the count', async (t) => {
  t.timeoutAfter(3000)
  const lines: Array<[string, string]> = []
  const th = new FaultThrottle((code, message) => lines.push([code, message]), 150)
  t.teardown(() => th.close())
  for (let i = 1; i <= 6; i++) th.report(new MeshError('HANDSHAKE_LIMIT', `refusal ${i}`))
  th.report(new MeshError('WIRE_FRAME_TOO_LARGE', 'big'))
  t.deepEqual(lines, [['HANDSHAKE_LIMIT', 'refusal 1'], ['WIRE_FRAME_TOO_LARGE', 'big']], 'the first of each code at once, the rest held')
  while (lines.length < 3) await sleep(5)
  t.deepEqual(lines[2], ['HANDSHAKE_LIMIT', '5 more HANDSHAKE_LIMIT in the last 0.15 s; the latest: refusal 6'], 'one summary line when the interval ends')
  await laterWindowEnded(th.intervalMs)
  t.equal(lines.length, 3, 'a quiet interval adds nothing')
  th.report(new MeshError('HANDSHAKE_LIMIT', 'later'))
  t.deepEqual(lines[3], ['HANDSHAKE_LIMIT', 'later'], 'after a quiet interval the next fault is reported at once')
  th.report(new MeshError('HANDSHAKE_LIMIT', 'held'))
  th.close()
  await laterWindowEnded(th.intervalMs)
  t.equal(lines.length, 4, 'nothing after close')
})

test('closeWithin: done in time, or forced when late or failed', async (t) => {
  t.timeoutAfter(3000)
  let forced = 0
  const force = () => { forced++ }
  t.equal(await closeWithin(() => sleep(10), 200, force), 'done')
  t.equal(forced, 0, 'not forced when in time')
  const start = Date.now()
  t.equal(await closeWithin(() => new Promise(() => {}), 100, force), 'late')
  t.ok(Date.now() - start < 500, 'gives up after the deadline')
  t.equal(forced, 1, 'forced when late')
  t.equal(await closeWithin(() => Promise.reject(new Error('x')), 100, () => { throw new Error('y') }), 'late', 'a failed close and a failing force do not reject')
  t.equal(await closeWithin(() => new Promise(() => {}), 50), 'late', 'without force it only stops waiting')
})

test('errnoText: errno codes in words, else the message', (t) => {
  const e = (code: string) => Object.assign(new Error(`${code} raw`), { code })
  t.equal(errnoText(e('EADDRINUSE')), 'address already in use')
  t.equal(errnoText(e('ECONNREFUSED')), 'connection refused')
  t.equal(errnoText(e('EWHATEVER')), 'EWHATEVER raw')
  t.equal(errnoText('plain'), 'plain')
  t.end()
})

test('handshake gate: IPv4 per address, IPv6 per /64, slots released', (t) => {
  t.equal(ipKey('127.0.0.1'), '127.0.0.1')
  t.equal(ipKey('2001:db8::1'), ipKey('2001:db8:0:0:ffff::2'), 'one /64')
  t.notEqual(ipKey('2001:db8:0:1::1'), ipKey('2001:db8::1'), 'another /64')
  t.equal(ipKey('::1'), '0:0:0:0::/64')
  const gate = new HandshakeGate({ maxHandshaking: 3, maxHandshakingPerIp: 2 })
  t.deepEqual(['a', 'a', 'a', 'b', 'c'].map(k => gate.admit(k)), ['ok', 'ok', 'per-ip', 'ok', 'total'])
  gate.release('a')
  t.equal(gate.admit('c'), 'ok', 'a released slot is free again')
  gate.release('zzz')
  t.equal(gate.size, 3, 'releasing an unknown key changes nothing')
  t.end()
})
