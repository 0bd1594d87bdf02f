// TcpTransport against unauthenticated sockets, in process: the handshake
// caps (total and per address), counted and coded faults, and the wire
// length guard on inbound, dialled and authenticated sockets.
import test from 'tape'
import net from 'net'
import SecretStream from '@hyperswarm/secret-stream'
import { TcpTransport, type TcpTransportOptions } from '../lib/transport/tcp'
import { MAX_HANDSHAKING_PER_IP, MAX_HANDSHAKING_SOCKETS } from '../lib/transport/handshake-gate'
import { dialSource } from '../lib/transport/dial-source'
import { generateKeyPair } from '../lib/protocol/crypto'
import { parseAddress } from '../lib/protocol/address'
import type { MeshError } from '../lib/protocol/errors'
import type { Link } from '../lib/core/link'

interface Rig { tr: TcpTransport; faults: MeshError[]; links: Link[]; host: string; port: number }

async function rig (t: test.Test, opts: Partial<TcpTransportOptions> = {}): Promise<Rig> {
  const faults: MeshError[] = []
  const links: Link[] = []
  const tr = new TcpTransport({ keyPair: generateKeyPair(), host: '127.0.0.1', port: 0, onLink: l => links.push(l), onFault: e => faults.push(e), ...opts })
  t.teardown(async () => { for (const l of links) l.destroy(); await tr.close() })
  const { host, port } = parseAddress(await tr.listen())
  return { tr, faults, links, host, port }
}

/** A raw socket from localAddress; resolves once connected. Closed in teardown. */
function raw (t: test.Test, r: Rig, localAddress = '127.0.0.1'): Promise<net.Socket & { closedAt?: number }> {
  return new Promise((resolve, reject) => {
    const s: net.Socket & { closedAt?: number } = net.connect({ host: r.host, port: r.port, localAddress })
    s.on('error', () => {})
    s.once('close', () => { s.closedAt = Date.now() })
    s.once('connect', () => resolve(s))
    s.once('error', reject)
    t.teardown(() => s.destroy())
  })
}

const until = async (cond: () => boolean, ms: number, what: string) => {
  const end = Date.now() + ms
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`)
    await new Promise(resolve => setTimeout(resolve, 10))
  }
}

test(`tcp limits by default: ${MAX_HANDSHAKING_PER_IP} handshaking sockets per address, ${MAX_HANDSHAKING_SOCKETS} in all`, async (t) => {
  t.timeoutAfter(8000)
  const r = await rig(t)
  const held = []
  for (let i = 0; i < MAX_HANDSHAKING_PER_IP; i++) held.push(await raw(t, r))
  await until(() => r.tr.handshaking === MAX_HANDSHAKING_PER_IP, 2000, 'one address full')
  const overIp = await raw(t, r)
  await until(() => overIp.closedAt !== undefined, 1000, 'the one over the per-address cap closed')
  t.equal(r.tr.stats.refusedPerIp, 1, `socket ${MAX_HANDSHAKING_PER_IP + 1} from one address is refused`)
  // Fill the rest from other loopback addresses, each under its own cap.
  for (let a = 0; held.length < MAX_HANDSHAKING_SOCKETS; a++) {
    for (let i = 0; i < MAX_HANDSHAKING_PER_IP && held.length < MAX_HANDSHAKING_SOCKETS; i++) held.push(await raw(t, r, `127.0.1.${a + 1}`))
  }
  await until(() => r.tr.handshaking === MAX_HANDSHAKING_SOCKETS, 3000, 'all slots taken')
  t.ok(held.every(s => s.closedAt === undefined), `${MAX_HANDSHAKING_SOCKETS} sockets from ${Math.ceil(MAX_HANDSHAKING_SOCKETS / MAX_HANDSHAKING_PER_IP)} addresses are all held`)
  const overTotal = await raw(t, r, '127.0.2.1')
  await until(() => overTotal.closedAt !== undefined, 1000, 'the one over the total closed')
  t.equal(r.tr.stats.refusedTotal, 1, 'one more, from a fresh address, is refused by the total cap')
})

test('tcp limits: sockets over the per-address cap are closed at once and counted', async (t) => {
  t.timeoutAfter(8000)
  const r = await rig(t, { limits: { maxHandshakingPerIp: 3 } })
  const held = []
  for (let i = 0; i < 3; i++) held.push(await raw(t, r))
  await until(() => r.tr.handshaking === 3, 2000, '3 handshaking')
  const over = await Promise.all([raw(t, r), raw(t, r)])
  await until(() => over.every(s => s.closedAt !== undefined), 1000, 'the 2 over the cap closed')
  t.ok(held.every(s => s.closedAt === undefined), 'the 3 under the cap stay open')
  t.equal(r.tr.stats.refusedPerIp, 2, 'stats.refusedPerIp counts both')
  t.deepEqual(r.faults.map(f => f.code), ['HANDSHAKE_LIMIT', 'HANDSHAKE_LIMIT'], 'each refusal is a HANDSHAKE_LIMIT fault')
  t.ok(r.faults[0].message.includes('127.0.0.1'), r.faults[0].message)
  // Another loopback address still gets in, and an honest peer from it links.
  const other = new TcpTransport({ keyPair: generateKeyPair(), host: '127.0.0.2', port: 0, onLink: l => l.destroy() })
  await other.listen()
  t.teardown(() => other.close())
  const link = await other.dial(`${r.host}:${r.port}`)
  t.teardown(() => link.destroy())
  await until(() => r.links.length === 1, 2000, 'the acceptor side link')
  t.ok(r.links[0].remoteAddress.startsWith('127.0.0.2:'), `honest link from 127.0.0.2 accepted (${r.links[0].remoteAddress})`)
  // Closing the held sockets frees their slots.
  for (const s of held) s.destroy()
  await until(() => r.tr.handshaking === 0, 2000, 'slots released')
  const again = await raw(t, r)
  // Admission is decided on accept: a refused socket is closed there and never counted as handshaking.
  await until(() => r.tr.handshaking === 1, 2000, 'the new socket handshaking')
  t.equal(again.closedAt, undefined, 'a new socket from the same address is admitted again')
  t.equal(r.tr.stats.refusedPerIp, 2, 'and not counted as refused')
})

test('tcp limits: sockets over the total cap are closed at once, whatever their address', async (t) => {
  t.timeoutAfter(8000)
  const r = await rig(t, { limits: { maxHandshaking: 4, maxHandshakingPerIp: 2 } })
  const held = []
  for (const ip of ['127.0.0.11', '127.0.0.11', '127.0.0.12', '127.0.0.13']) held.push(await raw(t, r, ip))
  await until(() => r.tr.handshaking === 4, 2000, '4 handshaking')
  const over = await raw(t, r, '127.0.0.14')
  await until(() => over.closedAt !== undefined, 1000, 'the 5th closed')
  t.ok(held.every(s => s.closedAt === undefined), 'the 4 under the cap stay open')
  t.deepEqual(r.tr.stats, { handshakesFailed: 0, refusedPerIp: 0, refusedTotal: 1, oversize: 0 }, 'stats.refusedTotal is 1')
  t.equal(r.faults[0]?.code, 'HANDSHAKE_LIMIT')
})

test('tcp limits: failed and timed-out inbound handshakes are counted and coded', async (t) => {
  t.timeoutAfter(8000)
  const r = await rig(t, { handshakeTimeoutMs: 300 })
  const quitter = await raw(t, r)
  quitter.end()
  await raw(t, r) // says nothing: times out
  await until(() => r.tr.stats.handshakesFailed === 2, 3000, '2 failed handshakes')
  t.deepEqual(r.faults.map(f => f.code).sort(), ['HANDSHAKE_FAILED', 'HANDSHAKE_TIMEOUT'], 'one HANDSHAKE_FAILED, one HANDSHAKE_TIMEOUT')
  t.equal(r.tr.handshaking, 0, 'no slot held')
})

test('tcp limits: an oversized length before the handshake closes the socket at once', async (t) => {
  t.timeoutAfter(8000)
  const r = await rig(t)
  const s = await raw(t, r)
  const sent = Date.now()
  s.write(Buffer.from([0xff, 0xff, 0xff]))
  await until(() => s.closedAt !== undefined, 1000, 'close')
  t.ok(s.closedAt! - sent < 1000, `closed after ${s.closedAt! - sent} ms`)
  await until(() => r.faults.length > 0, 1000, 'fault')
  t.deepEqual(r.faults.map(f => f.code), ['WIRE_FRAME_TOO_LARGE'], 'one WIRE_FRAME_TOO_LARGE, not also a failed handshake')
  t.deepEqual(r.tr.stats, { handshakesFailed: 0, refusedPerIp: 0, refusedTotal: 0, oversize: 1 })
})

test('tcp limits: a dialled server that announces an oversized message is cut off', async (t) => {
  t.timeoutAfter(8000)
  const evil = net.createServer(s => { s.on('error', () => {}); s.write(Buffer.from([0xff, 0xff, 0xff])) })
  await new Promise<void>(resolve => evil.listen(0, '127.0.0.1', resolve))
  t.teardown(() => { evil.close() })
  const r = await rig(t)
  const start = Date.now()
  const err = await r.tr.dial(`127.0.0.1:${(evil.address() as net.AddressInfo).port}`).then(() => null, e => e)
  t.ok(Date.now() - start < 2000, 'the dial fails fast')
  t.equal(err?.code, 'CONNECT_FAILED')
  t.ok(/16777215/.test(err?.message), err?.message)
  t.equal(r.tr.stats.oversize, 1, 'counted as oversize')
})

test('tcp limits: after the handshake an oversized message closes the link', async (t) => {
  t.timeoutAfter(8000)
  const r = await rig(t)
  const stream = new SecretStream(true, net.connect(r.port, r.host), { keyPair: generateKeyPair() })
  stream.on('error', () => {})
  t.teardown(() => stream.destroy())
  await until(() => r.links.length === 1, 3000, 'link')
  const closed = new Promise<Error | undefined>(resolve => r.links[0].once('close', resolve))
  stream.write(Buffer.alloc(200 * 1024))
  const why = await closed as MeshError
  t.equal(why?.code, 'WIRE_FRAME_TOO_LARGE', 'the link closes with WIRE_FRAME_TOO_LARGE')
  t.equal(r.tr.stats.oversize, 1)
  t.deepEqual(r.faults.map(f => f.code), ['WIRE_FRAME_TOO_LARGE'])
})

test('tcp limits: dials leave from the --listen host when it can reach the destination', (t) => {
  t.equal(dialSource('127.0.0.2', '127.0.0.1'), '127.0.0.2', 'loopback to loopback')
  t.equal(dialSource('0.0.0.0', '127.0.0.1'), undefined, 'wildcard: the OS chooses')
  t.equal(dialSource('127.0.0.2', '192.168.1.9'), undefined, 'loopback cannot reach another machine')
  t.equal(dialSource('192.168.1.5', '10.0.0.9'), '192.168.1.5', 'a LAN address is kept')
  t.equal(dialSource('127.0.0.1', '::1'), undefined, 'no family mix')
  t.equal(dialSource('127.0.0.1', 'localhost'), undefined, 'names: the OS chooses')
  t.end()
})
