// The wire length guard on real swarm links, over a hyperdht testnet on
// 127.0.0.1 (never the public DHT): honest frames of every size up to
// MAX_FRAME_BYTES pass untouched, and a peer that announces a 16 MiB
// secret-stream message on its raw stream is cut off by the victim.
import test from 'tape'
import { randomBytes, randomInt } from 'crypto'
import createTestnet from 'hyperdht/testnet'
import DHT from 'hyperdht'
import Hyperswarm from 'hyperswarm'
import type { Link } from '../lib/core/link'
import { SwarmTransport, topicKey, RANDOM_PORT_RANGE, SWARM_CLOSE_TIMEOUT_MS } from '../lib/transport/swarm'
import { closeWithin } from '../lib/transport/close'
import { generateKeyPair } from '../lib/protocol/crypto'
import { MAX_FRAME_BYTES } from '../lib/protocol/limits'
import type { MeshError } from '../lib/protocol/errors'

const HOST = '127.0.0.1'
/** Frames sent each way on the honest link. */
const HONEST_FRAMES = 200
/** How long the victim may take to cut a hostile connection once the hostile bytes are written. */
const CUT_WITHIN_MS = 5000
let topics = 0

/** Resolves with what arm's callback is given, or rejects naming `what` after ms. */
function waitFor<T> (ms: number, what: string, arm: (done: (v: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms)
    arm(v => { clearTimeout(timer); resolve(v) })
  })
}

async function testnetFor (t: test.Test) {
  const testnet = await createTestnet(3, { host: HOST })
  const closers: Array<() => Promise<unknown>> = []
  t.teardown(async () => {
    for (const c of closers) await c().catch(() => {})
    await testnet.destroy().catch(() => {})
  })
  const transport = (onLink: (link: Link) => void, onFault: (err: MeshError) => void) => {
    const tr = new SwarmTransport({ keyPair: generateKeyPair(), host: HOST, bootstrap: testnet.bootstrap, onLink, onFault })
    closers.push(() => tr.close())
    return tr
  }
  const rawSwarm = () => {
    const swarm = new Hyperswarm({ dht: new DHT({ bootstrap: testnet.bootstrap, host: HOST, port: RANDOM_PORT_RANGE }) })
    closers.unshift(() => closeWithin(() => swarm.destroy(), SWARM_CLOSE_TIMEOUT_MS, () => swarm.destroy({ force: true })))
    return swarm
  }
  return { transport, rawSwarm }
}

test('swarm wire guard: an honest link carries frames of every size up to MAX_FRAME_BYTES untouched', async (t) => {
  t.timeoutAfter(60_000)
  const { transport } = await testnetFor(t)
  const faults: MeshError[] = []
  const topic = `guard-honest-${process.pid}-${topics++}`
  const sizes = (): number[] => [1, MAX_FRAME_BYTES, ...Array.from({ length: HONEST_FRAMES - 2 }, () => randomInt(1, MAX_FRAME_BYTES + 1))]
  const toAcceptor = sizes().map(n => randomBytes(n))
  const toDialer = [Buffer.from('greeting'), ...sizes().map(n => randomBytes(n))]
  /** Collects a link's frames from the moment it is handed over (the dialler's comes with its first frame). */
  const collect = (count: number) => {
    const got: Buffer[] = []
    let handOver!: (l: Link) => void
    const linked = new Promise<Link>(resolve => { handOver = resolve })
    const onLink = (l: Link) => { l.on('frame', (f: Buffer) => got.push(f)); handOver(l) }
    const frames = waitFor<Buffer[]>(45_000, `${count} frames`, done => {
      void linked.then(l => {
        const check = () => { if (got.length >= count || l.closed) done(got) }
        l.on('frame', check)
        l.once('close', check)
      })
    })
    return { onLink, linked, frames }
  }
  const atAcceptor = collect(toAcceptor.length)
  const atDialer = collect(toDialer.length)
  const acceptor = transport(atAcceptor.onLink, err => faults.push(err))
  const dialer = transport(atDialer.onLink, err => faults.push(err))
  await acceptor.join(topic, { server: true, client: false })
  await dialer.join(topic, { server: false, client: true })
  const a = await atAcceptor.linked
  a.send(toDialer[0]) // the dialler's end is handed over once this first frame arrives
  const d = await atDialer.linked
  for (const f of toAcceptor) d.send(f)
  for (const f of toDialer.slice(1)) a.send(f)
  const [gotA, gotD] = await Promise.all([atAcceptor.frames, atDialer.frames])
  const intact = (got: Buffer[], sent: Buffer[]) => got.length === sent.length && got.every((f, i) => f.equals(sent[i]))
  t.ok(intact(gotA, toAcceptor), `all ${toAcceptor.length} frames dialer -> acceptor arrived intact, in order (${gotA.length} received)`)
  t.ok(intact(gotD, toDialer), `all ${toDialer.length} frames acceptor -> dialer arrived intact, in order (${gotD.length} received)`)
  t.notOk(a.closed || d.closed, 'the link is still up')
  t.deepEqual(faults.map(f => f.code), [], 'no faults on either side')
  for (const [name, tr] of [['acceptor', acceptor], ['dialer', dialer]] as const) {
    t.deepEqual(tr.wireStats, { guarded: 1, oversize: 0, unguarded: 0 }, `${name}: its connection was guarded, never tripped`)
  }
})

for (const victimDials of [false, true]) {
  test(`swarm wire guard: a peer announcing a 16 MiB message is cut off (victim ${victimDials ? 'dialled' : 'accepted'})`, async (t) => {
    t.timeoutAfter(30_000)
    const { transport, rawSwarm } = await testnetFor(t)
    const topic = `guard-hostile-${process.pid}-${topics++}`
    const faults: MeshError[] = []
    const links: Link[] = []
    let onLinkClosed!: (err: Error | undefined) => void
    const linkClosed = new Promise<Error | undefined>(resolve => { onLinkClosed = resolve })
    let onCut!: (err: MeshError) => void
    const cut = new Promise<MeshError>(resolve => { onCut = resolve })
    const victim = transport(l => { links.push(l); l.once('close', onLinkClosed) }, err => {
      faults.push(err)
      if (err.code === 'WIRE_FRAME_TOO_LARGE') onCut(err)
    })
    const hostile = rawSwarm()
    let wroteAt = 0
    const hostileClosed = new Promise<void>(resolve => {
      hostile.on('connection', (conn) => {
        conn.on('error', () => {})
        conn.once('close', () => resolve())
        // Past its own encryption: a length prefix of 0xffffff, then some junk.
        const raw = conn.rawStream as unknown as { write (b: Buffer): boolean }
        raw.write(Buffer.concat([Buffer.from([0xff, 0xff, 0xff]), randomBytes(1000)]))
        wroteAt ||= Date.now()
      })
    })
    if (victimDials) {
      await hostile.join(topicKey(topic), { server: true, client: false }).flushed()
      void victim.join(topic, { server: false, client: true })
    } else {
      await victim.join(topic, { server: true, client: false })
      hostile.join(topicKey(topic), { server: false, client: true })
    }
    const err = await waitFor<MeshError>(20_000, 'the victim reporting WIRE_FRAME_TOO_LARGE', done => { void cut.then(done) })
    const tookMs = Date.now() - wroteAt
    t.ok(wroteAt > 0 && tookMs <= CUT_WITHIN_MS, `cut ${tookMs} ms after the hostile bytes were written (limit ${CUT_WITHIN_MS} ms)`)
    t.ok(err.message.includes('16777215'), `the fault names the announced length: ${err.message}`)
    await waitFor<void>(CUT_WITHIN_MS, 'the hostile side seeing its connection closed', done => { void hostileClosed.then(done) })
    t.ok(victim.wireStats.oversize >= 1, `the guard counted it (${victim.wireStats.oversize})`)
    t.equal(victim.wireStats.unguarded, 0, 'no connection went unguarded')
    if (victimDials) {
      t.equal(links.length, 0, 'the dialled link was never handed over (the hostile peer never greeted)')
    } else {
      const closedWith = await waitFor<Error | undefined>(CUT_WITHIN_MS, 'the victim link closing', done => { void linkClosed.then(done) })
      t.equal(links.length, 1, 'the accepted link was handed over')
      t.equal((closedWith as MeshError | undefined)?.code, 'WIRE_FRAME_TOO_LARGE', 'and closed with WIRE_FRAME_TOO_LARGE')
    }
    t.deepEqual([...new Set(faults.map(f => f.code))], ['WIRE_FRAME_TOO_LARGE'], 'the only fault code is WIRE_FRAME_TOO_LARGE')
  })
}
