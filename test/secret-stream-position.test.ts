// Reading secret-stream's private parser state. The canary drives the real
// @hyperswarm/secret-stream (the copy hyperdht loads) one raw byte at a time
// and checks that the fields mean what lib/transport/secret-stream-position.ts
// says: if a secret-stream upgrade renames or changes them, this fails.
import test from 'tape'
import net from 'net'
import { createRequire } from 'module'
import { secretStreamPosition } from '../lib/transport/secret-stream-position'
import { WireLengthGuard, guardDataEvents, type WirePosition } from '../lib/transport/wire-guard'

const fromDht = createRequire(require.resolve('hyperdht'))
const SecretStream = fromDht('@hyperswarm/secret-stream')
const VERSION: string = fromDht('@hyperswarm/secret-stream/package.json').version
const IF_NOT = `secret-stream ${VERSION}; if not, its private parser fields (_state, _len, _tmp, _message) changed: ` +
  'fix lib/transport/secret-stream-position.ts, or swarm links go without the wire length guard'

test('secret-stream position from fields: each parser state maps to a position', (t) => {
  const at = (_state: unknown, _len: unknown, _tmp: unknown, _message: unknown = null) => secretStreamPosition({ _state, _len, _tmp, _message })
  t.deepEqual(at(0, 0, 1), { reading: 'length', bytesRead: 0, partial: 0 }, 'fresh')
  t.deepEqual(at(0, 0x34, 256), { reading: 'length', bytesRead: 1, partial: 0x34 }, 'one length byte read')
  t.deepEqual(at(0, 0x1234, 65536), { reading: 'length', bytesRead: 2, partial: 0x1234 }, 'two length bytes read')
  t.deepEqual(at(1, 500, 0), { reading: 'body', length: 500, bytesRead: 0 }, 'length read, no body yet')
  t.deepEqual(at(1, 500, 120, Buffer.alloc(500)), { reading: 'body', length: 500, bytesRead: 120 }, 'inside a body')
  t.end()
})

test('secret-stream position from fields: anything unexpected is a reason, never a throw', (t) => {
  const cases: Array<[string, unknown]> = [
    ['not an object', undefined],
    ['no fields', {}],
    ['_state a string', { _state: '0', _len: 0, _tmp: 1, _message: null }],
    ['_message missing', { _state: 0, _len: 0, _tmp: 1 }],
    ['_tmp not a multiplier', { _state: 0, _len: 0, _tmp: 3, _message: null }],
    ['_tmp past three bytes', { _state: 0, _len: 0, _tmp: 0x1000000, _message: null }],
    ['partial too big for the bytes read', { _state: 0, _len: 256, _tmp: 256, _message: null }],
    ['unknown state', { _state: 2, _len: 0, _tmp: 0, _message: null }],
    ['more body read than the length', { _state: 1, _len: 10, _tmp: 11, _message: null }],
    ['a buffer of the wrong size', { _state: 1, _len: 10, _tmp: 5, _message: Buffer.alloc(9) }],
    ['a buffer while reading a length', { _state: 0, _len: 0, _tmp: 1, _message: Buffer.alloc(1) }]
  ]
  for (const [what, obj] of cases) {
    const got = secretStreamPosition(obj)
    t.equal(typeof got, 'string', `${what}: ${String(got)}`)
  }
  t.end()
})

/** Two real secret-streams over TCP on 127.0.0.1; the raw socket under the initiator is returned to write past its encryption. */
async function pair (t: test.Test): Promise<{ a: any; b: any; rawA: net.Socket; rawB: net.Socket }> {
  const server = net.createServer()
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  const accepted = new Promise<net.Socket>(resolve => server.once('connection', resolve))
  const rawA = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1')
  const rawB = await accepted
  server.close()
  rawA.setNoDelay(true)
  const a = new SecretStream(true, rawA)
  const b = new SecretStream(false, rawB)
  for (const s of [a, b]) s.on('error', () => {})
  t.teardown(() => { a.destroy(); b.destroy() })
  const hello = new Promise<Buffer>(resolve => b.once('data', resolve))
  a.write(Buffer.from('hello'))
  t.equal(String(await hello), 'hello', 'the secret-streams are up and a message went through')
  return { a, b, rawA, rawB }
}

test(`secret-stream canary: its parser fields mean what the swarm wire guard reads`, async (t) => {
  t.timeoutAfter(10_000)
  const { b, rawA, rawB } = await pair(t)
  const start = secretStreamPosition(b)
  t.deepEqual(start, { reading: 'length', bytesRead: 0, partial: 0 }, `between messages (${IF_NOT})`)
  if (typeof start === 'string') return
  // A guard started where b's parser stands, fed every later raw chunk as the swarm guard is: both must agree throughout.
  const guard = new WireLengthGuard(1000, start)
  guardDataEvents(rawB, guard, () => {})
  const steps: Array<[Buffer, WirePosition]> = [
    [Buffer.from([0x01]), { reading: 'length', bytesRead: 1, partial: 0x01 }],
    [Buffer.from([0x02]), { reading: 'length', bytesRead: 2, partial: 0x0201 }],
    [Buffer.from([0x00]), { reading: 'body', length: 0x0201, bytesRead: 0 }],
    [Buffer.alloc(10, 0xaa), { reading: 'body', length: 0x0201, bytesRead: 10 }],
    [Buffer.alloc(90, 0xbb), { reading: 'body', length: 0x0201, bytesRead: 100 }]
  ]
  for (const [bytes, want] of steps) {
    const arrived = new Promise<void>(resolve => rawB.once('data', () => resolve()))
    rawA.write(bytes)
    await arrived
    const got = secretStreamPosition(b)
    t.deepEqual(got, want, `after ${bytes.length} raw byte(s) (${typeof got === 'string' ? got : IF_NOT})`)
    t.deepEqual(guard.position, want, 'a guard fed the same chunks stands at the same place')
  }
  t.notOk(b.destroyed, 'the half-received message is still pending, nothing decrypted yet')
})
