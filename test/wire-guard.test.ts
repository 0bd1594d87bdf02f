// The wire length guard: secret-stream length prefixes parsed off the raw
// bytes, however the chunks are split, and a socket cut off before an
// oversized message reaches any 'data' listener.
import test from 'tape'
import net from 'net'
import { WireLengthGuard, guardSocket, MAX_WIRE_MESSAGE_BYTES, WIRE_OVERHEAD_BYTES } from '../lib/transport/wire-guard'
import { MAX_FRAME_BYTES } from '../lib/protocol/limits'
import type { MeshError } from '../lib/protocol/errors'

/** One secret-stream message: uint24 LE length, then the body. */
function msg (len: number, fill = 7): Buffer {
  const b = Buffer.alloc(3 + len, fill)
  b.writeUIntLE(len, 0, 3)
  return b
}

/** Feeds stream in the given chunks; returns the result of the last push and the guard. */
function feed (max: number, chunks: Buffer[]): { ok: boolean; guard: WireLengthGuard } {
  const guard = new WireLengthGuard(max)
  let ok = true
  for (const c of chunks) ok = guard.push(c)
  return { ok, guard }
}

// That the guard lets a whole MAX_FRAME_BYTES frame through a real secret-stream
// is shown by the transport suite (a frame of exactly that size arrives over TCP).
test('wire guard: the overhead covers what secret-stream adds to a frame', (t) => {
  t.ok(WIRE_OVERHEAD_BYTES >= 17 + 56, 'covers the 17-byte tag and the 56-byte stream header')
  t.ok(feed(MAX_WIRE_MESSAGE_BYTES, [msg(MAX_FRAME_BYTES + 17 + 56)]).ok, 'a full frame with tag and header passes the default limit')
  t.end()
})

test('wire guard: several messages in one chunk, lengths up to the limit pass', (t) => {
  const stream = Buffer.concat([msg(0), msg(5), msg(100), msg(0), msg(300)])
  const { ok, guard } = feed(300, [stream])
  t.ok(ok, 'all within the limit')
  t.equal(guard.messages, 5, 'five length prefixes read')
  t.equal(guard.tripped, -1)
  t.end()
})

test('wire guard: a length one over the limit trips, wherever it comes in a chunk', (t) => {
  const stream = Buffer.concat([msg(10), msg(300), msg(301)])
  const { ok, guard } = feed(300, [stream])
  t.notOk(ok, 'tripped')
  t.equal(guard.tripped, 301, 'names the announced length')
  t.equal(guard.messages, 3)
  t.notOk(guard.push(msg(1)), 'stays tripped')
  t.end()
})

test('wire guard: chunks split at every byte boundary give the same answer', (t) => {
  const good = Buffer.concat([msg(0), msg(1), msg(70), msg(2), msg(256), msg(3)])
  const bad = Buffer.concat([msg(4), msg(256), msg(0xffffff).subarray(0, 40)])
  let wrong = 0
  for (const [stream, want] of [[good, true], [bad, false]] as const) {
    for (let i = 0; i <= stream.length; i++) {
      for (let j = i; j <= stream.length; j += 7) {
        const { ok, guard } = feed(256, [stream.subarray(0, i), stream.subarray(i, j), stream.subarray(j)])
        if (ok !== want || (!want && guard.tripped !== 0xffffff) || (want && guard.messages !== 6)) wrong++
      }
    }
    const bytes = [...stream].map(b => Buffer.from([b]))
    const { ok, guard } = feed(256, bytes)
    t.equal(ok, want, `one byte at a time: ${want ? 'passes' : 'trips'}`)
    if (!want) t.equal(guard.tripped, 0xffffff, 'the 3-byte prefix ff ff ff reads as 16777215 across three chunks')
  }
  t.equal(wrong, 0, 'every 3-way split agrees with the whole stream')
  t.end()
})

test('wire guard: the prefix is little-endian', (t) => {
  t.ok(feed(0x0100, [Buffer.from([0x00, 0x01, 0x00])]).ok, '0x000100 = 256 passes at 256')
  t.notOk(feed(0x0100, [Buffer.from([0x01, 0x01, 0x00])]).ok, '257 trips')
  t.notOk(feed(0x0100, [Buffer.from([0x00, 0x00, 0x01])]).ok, '65536 trips')
  t.end()
})

test('wire guard on a socket: an oversized prefix never reaches a data listener', async (t) => {
  t.timeoutAfter(5000)
  const server = net.createServer()
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve))
  t.teardown(() => server.close())
  const port = (server.address() as net.AddressInfo).port
  const accepted = new Promise<net.Socket>(resolve => server.once('connection', resolve))
  const client = net.connect(port, '127.0.0.1')
  client.on('error', () => {})
  t.teardown(() => client.destroy())
  const socket = await accepted
  const seen: Buffer[] = []
  const faults: MeshError[] = []
  socket.on('data', (d: Buffer) => seen.push(d))
  guardSocket(socket, 'test socket', err => faults.push(err), 100)
  const closed = new Promise<Error | undefined>(resolve => { socket.on('error', () => {}); socket.once('close', () => resolve(undefined)) })
  client.write(Buffer.concat([msg(100), msg(2)]))
  for (let i = 0; i < 400 && Buffer.concat(seen).length < 108; i++) await new Promise(resolve => setTimeout(resolve, 5))
  client.write(Buffer.concat([Buffer.from([0xff, 0xff, 0xff]), Buffer.alloc(1000)]))
  await closed
  const total = Buffer.concat(seen)
  t.equal(total.length, 108, 'the allowed messages (and nothing after them) were delivered')
  t.equal(faults.length, 1, 'one fault')
  t.equal(faults[0].code, 'WIRE_FRAME_TOO_LARGE')
  t.ok(faults[0].message.includes('16777215') && faults[0].message.includes('100 byte'), faults[0].message)
  t.ok(socket.destroyed, 'socket destroyed')
})
