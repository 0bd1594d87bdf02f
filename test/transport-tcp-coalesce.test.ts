// Write coalescing on real TCP links (lib/transport/tick-cork.ts): a burst
// sent within one tick leaves in fewer socket writes than frames, arrives
// whole and in order, and a frame sent alone is never held past its tick.
import test from 'tape'
import type { Link } from '../lib/core/link'
import { TcpTransport } from '../lib/transport/tcp'
import { READ_FRAMES_PER_TURN, StreamLink } from '../lib/transport/stream-link'
import { generateKeyPair } from '../lib/protocol/crypto'

interface Pair { dialer: StreamLink; acceptor: StreamLink }

async function tcpPair (t: test.Test): Promise<Pair> {
  let onAccept!: (link: Link) => void
  const accepted = new Promise<Link>(resolve => { onAccept = resolve })
  const server = new TcpTransport({ keyPair: generateKeyPair(), host: '127.0.0.1', port: 0, onLink: link => onAccept(link) })
  const client = new TcpTransport({ keyPair: generateKeyPair(), host: '127.0.0.1', port: 0, onLink: link => link.destroy() })
  const address = await server.listen()
  const dialer = await client.dial(address)
  const acceptor = await accepted
  t.teardown(async () => {
    dialer.destroy()
    acceptor.destroy()
    await Promise.all([server.close(), client.close()])
  })
  if (!(dialer instanceof StreamLink) || !(acceptor instanceof StreamLink)) throw new Error('TCP links are StreamLinks')
  return { dialer, acceptor }
}

function frames (link: Link, n: number): Promise<Buffer[]> {
  return new Promise((resolve, reject) => {
    const got: Buffer[] = []
    const onFrame = (f: Buffer) => { got.push(f); if (got.length === n) { off(); resolve(got) } }
    const onClose = () => { off(); reject(new Error(`closed after ${got.length}/${n} frames`)) }
    const off = () => { link.off('frame', onFrame); link.off('close', onClose) }
    link.on('frame', onFrame)
    link.on('close', onClose)
  })
}

/** Frame i: its index, then a pattern of its own length, so a cut, merge or swap shows. */
function frame (i: number, size: number): Buffer {
  const b = Buffer.alloc(size)
  b.writeUInt32BE(i, 0)
  for (let k = 4; k < size; k++) b[k] = (k * 7 + i) & 0xff
  return b
}

const nextTick = () => new Promise(resolve => setImmediate(resolve))

test('tcp coalescing: a burst of small frames in one tick is one socket write, intact and in order', async (t) => {
  t.timeoutAfter(10_000)
  const { dialer, acceptor } = await tcpPair(t)
  await nextTick()
  const before = { ...dialer.writeStats }
  const N = 50
  const sent = Array.from({ length: N }, (_, i) => frame(i, 20 + (i * 13) % 200))
  const arriving = frames(acceptor, N)
  for (const f of sent) dialer.send(f)
  const queuedBytes = sent.reduce((a, f) => a + f.byteLength, 0)
  t.ok(dialer.bufferedBytes >= queuedBytes, `bufferedBytes counts the held burst (${dialer.bufferedBytes} >= ${queuedBytes})`)
  const got = await arriving
  t.ok(got.every((f, i) => f.equals(sent[i])), `${N} frames arrived whole and in order`)
  t.equal(dialer.writeStats.frames - before.frames, N, 'every frame counted')
  t.equal(dialer.writeStats.socketWrites - before.socketWrites, 1, `${N} frames (${queuedBytes} bytes) left in one socket write`)
  t.equal(dialer.bufferedBytes, 0, 'nothing left queued once delivered')
})

test('tcp coalescing: a burst past the socket high-water mark stays in order and in far fewer writes', async (t) => {
  t.timeoutAfter(15_000)
  const { dialer, acceptor } = await tcpPair(t)
  await nextTick()
  const before = dialer.writeStats.socketWrites
  const N = 200
  const sent = Array.from({ length: N }, (_, i) => frame(i, 2000 + (i * 977) % 6000))
  const arriving = frames(acceptor, N)
  for (const f of sent) dialer.send(f)
  const got = await arriving
  t.ok(got.every((f, i) => f.equals(sent[i])), `${N} frames (${sent.reduce((a, f) => a + f.byteLength, 0)} bytes) arrived whole and in order through backpressure`)
  const writes = dialer.writeStats.socketWrites - before
  // a corked socket still says "wait" past its 16 KiB high-water mark, so a few frames per write (one each without coalescing)
  t.ok(writes > 0 && writes < N / 2, `${writes} socket writes for ${N} frames`)
})

test('tcp coalescing: a frame sent alone goes out in its own tick (ping-pong)', async (t) => {
  t.timeoutAfter(15_000)
  const { dialer, acceptor } = await tcpPair(t)
  acceptor.on('frame', (f: Buffer) => acceptor.send(f))
  await nextTick()
  const before = { ...dialer.writeStats }
  const K = 200
  for (let k = 0; k < K; k++) {
    const back = frames(dialer, 1)
    dialer.send(frame(k, 64))
    const [echo] = await back
    if (echo.readUInt32BE(0) !== k) { t.fail(`round ${k}: got the echo of ${echo.readUInt32BE(0)}`); return }
  }
  t.equal(dialer.writeStats.frames - before.frames, K, `${K} rounds completed, each waiting for the echo of its one frame`)
  t.equal(dialer.writeStats.socketWrites - before.socketWrites, K, 'each lone frame was its own socket write: none merged with a later tick')
})

test('tcp reading: a burst is handed to the node at most READ_FRAMES_PER_TURN frames a turn, whole and in order, so other links get turns', async (t) => {
  t.timeoutAfter(10_000)
  const { dialer, acceptor } = await tcpPair(t)
  await nextTick()
  const N = 1000
  const sent = Array.from({ length: N }, (_, i) => frame(i, 40))
  const arriving = frames(acceptor, N)
  // Frames seen per turn of the event loop at the reader.
  const perTurn: number[] = []
  let current = 0
  let ticking = true
  const tick = () => { if (current) { perTurn.push(current); current = 0 } if (ticking) setImmediate(tick) }
  acceptor.on('frame', () => { current++ })
  for (const f of sent) dialer.send(f)
  await new Promise(resolve => process.nextTick(resolve)) // the tick's writes leave (tick-cork)
  // Hold the event loop while loopback moves the whole burst into the reader's socket buffer: one read finds it all.
  const until = Date.now() + 100
  while (Date.now() < until) { /* busy */ }
  setImmediate(tick)
  const got = await arriving
  await nextTick()
  ticking = false
  t.ok(got.every((f, i) => f.equals(sent[i])), `${N} frames arrived whole and in order`)
  t.ok(Math.max(...perTurn) <= READ_FRAMES_PER_TURN, `at most ${READ_FRAMES_PER_TURN} a turn (most: ${Math.max(...perTurn)}, over ${perTurn.length} turns)`)
})
