// One test suite for every transport: whatever yields links (TCP, swarm) must
// deliver whole frames in order both ways, close both ends, name the remote
// key and address, never deliver an empty frame, and let the node close a
// link that sends an oversized frame.
import test from 'tape'
import type { Link, Via } from '../lib/core/link'
import { MeshNode } from '../lib/core/node'
import type { KeyPair } from '../lib/protocol/crypto'
import { parseAddress } from '../lib/protocol/address'
import { MAX_FRAME_BYTES } from '../lib/protocol/limits'
import { FrameType } from '../lib/protocol/frames'

/** Two ends of one connection: the dialler's link and the acceptor's link. */
export interface LinkPair { dialer: Link; acceptor: Link; dialerKey: KeyPair; acceptorKey: KeyPair }

export interface Harness {
  /** Connects a fresh pair of endpoints and resolves with both ends of the link. */
  pair (): Promise<LinkPair>
  /** Closes everything the harness opened; must not reject. */
  close (): Promise<void>
}

export interface TransportUnderTest {
  name: string
  via: Via
  /** Upper bound for one test, network set-up included. */
  timeoutMs: number
  setup (): Promise<Harness>
}

/** Resolves with the next n frames a link receives. */
function nextFrames (link: Link, n: number): Promise<Buffer[]> {
  return new Promise((resolve, reject) => {
    const got: Buffer[] = []
    const onFrame = (f: Buffer) => {
      got.push(f)
      if (got.length === n) { done(); resolve(got) }
    }
    const onClose = (err?: Error) => { done(); reject(new Error(`link closed after ${got.length}/${n} frames: ${err?.message ?? 'no error'}`)) }
    const done = () => { link.off('frame', onFrame); link.off('close', onClose) }
    link.on('frame', onFrame)
    link.on('close', onClose)
  })
}

function closed (link: Link): Promise<Error | undefined> {
  return new Promise(resolve => { if (link.closed) resolve(undefined); else link.once('close', resolve) })
}

const tick = () => new Promise(resolve => setImmediate(resolve))

function pattern (size: number, seed: number): Buffer {
  const b = Buffer.alloc(size)
  for (let i = 0; i < size; i++) b[i] = (i * 31 + seed) & 0xff
  return b
}

export function runTransportSuite (tr: TransportUnderTest): void {
  type Defer = (fn: () => Promise<void> | void) => void
  const withPair = (title: string, fn: (t: test.Test, p: LinkPair, defer: Defer) => Promise<void>) =>
    test(`${tr.name} transport: ${title}`, async (t) => {
      t.timeoutAfter(tr.timeoutMs)
      const cleanups: Array<() => Promise<void> | void> = []
      let harness: Harness | null = null
      t.teardown(async () => {
        for (const fn of cleanups.reverse()) { try { await fn() } catch {} }
        try { await harness?.close() } catch {}
      })
      harness = await tr.setup()
      const p = await harness.pair()
      cleanups.push(() => { p.dialer.destroy(); p.acceptor.destroy() })
      await fn(t, p, f => cleanups.push(f))
    })

  withPair('remote key, address, via and initiator', async (t, p) => {
    t.ok(p.dialer.remotePublicKey.equals(p.acceptorKey.publicKey), 'dialler sees the acceptor key')
    t.ok(p.acceptor.remotePublicKey.equals(p.dialerKey.publicKey), 'acceptor sees the dialler key')
    t.equal(p.dialer.via, tr.via, `dialler link is via ${tr.via}`)
    t.equal(p.acceptor.via, tr.via, `acceptor link is via ${tr.via}`)
    t.equal(p.dialer.initiator, true, 'dialler end is the initiator')
    t.equal(p.acceptor.initiator, false, 'acceptor end is not')
    for (const [name, link] of [['dialler', p.dialer], ['acceptor', p.acceptor]] as const) {
      const a = parseAddress(link.remoteAddress)
      t.equal(a.host, '127.0.0.1', `${name} remote host is loopback`)
      t.ok(a.port > 0, `${name} remote port is set`)
      t.equal(link.closed, false, `${name} is open`)
      t.ok(Number.isFinite(link.bufferedBytes) && link.bufferedBytes >= 0, `${name} bufferedBytes is a number`)
    }
  })

  withPair('frames arrive whole and in order, both ways', async (t, p) => {
    const sizes = [1, 2, 100, 1500, 16 * 1024, 60 * 1024, MAX_FRAME_BYTES]
    for (const [from, to, label] of [[p.dialer, p.acceptor, 'dialler to acceptor'], [p.acceptor, p.dialer, 'acceptor to dialler']] as const) {
      const sent = sizes.map((n, i) => pattern(n, i))
      const got = nextFrames(to, sent.length)
      for (const f of sent) from.send(f)
      const frames = await got
      t.deepEqual(frames.map(f => f.byteLength), sizes, `${label}: frame boundaries kept`)
      t.ok(frames.every((f, i) => f.equals(sent[i])), `${label}: contents intact`)
    }
    const burst = Array.from({ length: 200 }, (_, i) => Buffer.from(`frame ${i}`))
    const got = nextFrames(p.acceptor, burst.length)
    for (const f of burst) p.dialer.send(f)
    t.deepEqual((await got).map(f => f.toString()), burst.map(f => f.toString()), '200 small frames in order')
  })

  withPair('an empty frame is no frame: it never arrives, the frame after it does', async (t, p) => {
    const got: Buffer[] = []
    p.acceptor.on('frame', (f: Buffer) => got.push(f))
    const marker = nextFrames(p.acceptor, 1)
    p.dialer.send(Buffer.alloc(0))
    p.dialer.send(Buffer.from('marker'))
    t.equal((await marker)[0].toString(), 'marker', 'the marker sent after the empty frame arrives first')
    t.deepEqual(got.map(f => f.toString()), ['marker'], 'and nothing came before it')
  })

  withPair('destroy closes both ends once', async (t, p) => {
    let dialerCloses = 0
    let acceptorCloses = 0
    p.dialer.on('close', () => dialerCloses++)
    p.acceptor.on('close', () => acceptorCloses++)
    const both = Promise.all([closed(p.dialer), closed(p.acceptor)])
    p.dialer.destroy(new Error('bye'))
    const [err] = await both
    t.equal(err?.message, 'bye', 'the closing end reports the error it was destroyed with')
    t.ok(p.dialer.closed && p.acceptor.closed, 'both ends are closed')
    p.dialer.destroy()
    p.acceptor.destroy()
    p.dialer.send(Buffer.from('late'))
    for (let i = 0; i < 5; i++) await tick()
    t.equal(dialerCloses, 1, 'dialler close emitted once')
    t.equal(acceptorCloses, 1, 'acceptor close emitted once')
  })

  withPair(`a frame over ${MAX_FRAME_BYTES} bytes makes the node close the link`, async (t, p, defer) => {
    const node = new MeshNode({ keyPair: p.acceptorKey, nick: 'suite' })
    defer(() => node.close())
    const faults: string[] = []
    node.on('fault', f => faults.push(f.code))
    t.ok(node.addLink(p.acceptor), 'node takes the link')
    const hello = nextFrames(p.dialer, 1)
    t.equal((await hello)[0][0], FrameType.HELLO, 'node greets with HELLO over the transport')
    const gone = closed(p.dialer)
    p.dialer.send(Buffer.alloc(MAX_FRAME_BYTES + 1, FrameType.HELLO))
    await gone
    t.ok(p.dialer.closed, 'the sending end sees the link close')
    t.deepEqual(faults, ['FRAME_TOO_LARGE'], 'the node reports FRAME_TOO_LARGE')
    t.equal(node.linkCount, 0, 'the node dropped the link')
  })
}
