// The plain-text line gateway (--text-listen): real bin processes, real
// loopback sockets; plain clients are node:net sockets (what nc would be).
import test from 'tape'
import { Cluster, LIFTED_LIMITS } from './helpers/proc'
import { LineClient } from './helpers/line-client'
import { connect, gatewayNode, tag } from './helpers/gateway'
import { LineSplitter, type LineEvent } from '../lib/gateway/line-splitter'
import { sanitizeText } from '../lib/core/sanitize'
import { findCommand, usage } from '../lib/core/commands'
import { GATEWAY_COMMANDS, gatewayHelp } from '../lib/gateway/gateway-commands'
import { MAX_CLIENT_QUEUED_BYTES, MAX_LINE_BUFFER_BYTES } from '../lib/gateway/limits'


function feed (chunks: Buffer[], max: number): LineEvent[] {
  const s = new LineSplitter(max)
  return chunks.flatMap(c => s.push(c))
}
const show = (evs: LineEvent[]) => evs.map(e => e.kind === 'line' ? `line:${e.bytes.toString('latin1')}` : 'overflow')

test('gateway /help is written from the command table, with the core usage of each command', (t) => {
  const help = gatewayHelp()
  t.equal(help.length, GATEWAY_COMMANDS.length + 2, 'an intro, one line per command, and //text')
  for (const c of GATEWAY_COMMANDS) {
    const spec = findCommand(c.name)
    t.ok(spec, `/${c.name} is a core command`)
    t.ok(help.some(l => l.startsWith(`***   ${usage(spec!)} `) && l.endsWith(c.help)), `help lists ${usage(spec!)}`)
  }
  t.ok(help.every(l => l.startsWith('*** ')), 'every line is a gateway line')
  t.end()
})

test('line splitter: every split point gives the same lines; long lines overflow once and are skipped', (t) => {
  const input = Buffer.from('one\r\ntwo\n\nthree-is-long-enough\nfour\r\n')
  const whole = show(feed([input], 10))
  t.deepEqual(whole, ['line:one', 'line:two', 'line:', 'overflow', 'line:four'])
  for (let i = 0; i <= input.length; i++) {
    for (let j = i; j <= input.length; j++) {
      const got = show(feed([input.subarray(0, i), input.subarray(i, j), input.subarray(j)], 10))
      if (JSON.stringify(got) !== JSON.stringify(whole)) { t.fail(`split at ${i},${j}: ${got}`); return t.end() }
    }
  }
  const bytes = show(feed([...input].map(b => Buffer.from([b])), 10))
  t.deepEqual(bytes, whole, '1-byte chunks')
  t.deepEqual(show(feed([Buffer.alloc(100, 97)], 10)), ['overflow'], 'no newline: refused, not buffered')
  t.end()
})

test('sanitizeText strips escape sequences and control characters', (t) => {
  t.equal(sanitizeText('\u001b[31mred\u001b[0m'), 'red')
  t.equal(sanitizeText('a\u001b]0;title\u0007b'), 'ab')
  t.equal(sanitizeText('x\u0000y\u0007z\u007f\u009b2J'), 'xyz')
  t.equal(sanitizeText('two\nlines\ttab'), 'two lines    tab', 'line breaks become a space, tabs four')
  t.equal(sanitizeText('\u202eevil'), 'evil')
  t.equal(sanitizeText('héllo 👋'), 'héllo 👋', 'ordinary text is kept')
  t.end()
})

test('two plain clients and a mesh node talk through a gateway; no echo; peer text sanitised', async (t) => {
  t.timeoutAfter(20_000)
  const cluster = new Cluster(t)
  const { gw, address } = await gatewayNode(cluster, 'gw')
  const mesh = await cluster.start({ name: 'mesh', args: ['--peer', gw.listen] })
  await mesh.waitPeerUp(gw.id)
  await gw.waitPeerUp(mesh.id)
  const a = await connect(cluster, address, 'a')
  const b = await connect(cluster, address, 'b')
  t.notEqual(a.guest, b.guest, `guests get distinct names (${a.guest}, ${b.guest})`)
  await a.c.waitLine(l => l === `*** ${b.guest} joined`, 5000, 'join notice')

  a.c.send('hello from a')
  t.equal(await b.c.waitLine(l => l.endsWith('hello from a')), `${a.guest} via ${tag(gw)}: hello from a`, 'b sees a, marked as a guest via the gateway')
  const m = await mesh.waitMessage('hello from a')
  t.equal(m.nick, a.guest, 'mesh node sees the guest name')
  t.equal(m.via, 'gw', 'mesh node gets via = the gateway nick')
  t.equal(m.from, gw.id, 'signed by the gateway node')

  b.c.send('hello from b')
  t.equal(await a.c.waitLine(l => l.endsWith('hello from b')), `${b.guest} via ${tag(gw)}: hello from b`, 'a sees b')
  await mesh.waitMessage('hello from b')

  mesh.send('from the mesh \u001b[2J\u001b[31mred\u0007!')
  t.equal(await a.c.waitLine(l => l.includes('from the mesh')), `${tag(mesh)}: from the mesh red!`, 'a sees the mesh node, escapes stripped')
  await b.c.waitLine(l => l.includes('from the mesh'))
  mesh.send('/me waves at the guests')
  t.equal(await a.c.waitLine(l => l.includes('waves at the guests')), `* ${tag(mesh)} waves at the guests`, 'a /me from the mesh reads as an action')

  b.c.send('/nick bobby')
  t.equal(await b.c.waitLine(l => l.startsWith('*** you are now')), '*** you are now bobby')
  await a.c.waitLine(l => l === `*** ${b.guest} is now known as bobby`, 5000, 'rename notice')
  b.c.send('as bobby')
  t.equal(await a.c.waitLine(l => l.endsWith(': as bobby')), `bobby via ${tag(gw)}: as bobby`)
  t.equal((await mesh.waitMessage('as bobby')).nick, 'bobby')
  b.c.send('/nick bad#nick')
  t.match(await b.c.waitLine(l => l.startsWith('*** error')), /^\*\*\* error BAD_NICK: /, 'invalid nick gets an error line')

  // Lines arrive in order per gateway, so by now any echo would have arrived.
  t.notOk(a.c.lines.some(l => l.includes('hello from a')), 'a never gets its own line back')
  t.notOk(b.c.lines.some(l => l.includes('hello from b') || l.includes('as bobby')), 'b never gets its own lines back')

  a.c.send('/quit')
  await a.c.waitLine(l => l === '*** bye')
  await a.c.waitClosed(5000)
  t.equal(await b.c.waitLine(l => l.includes(`${a.guest} left`), 5000, 'leave notice'), `*** ${a.guest} left (quit)`, 'the others are told why')
  t.ok(a.c.socket.destroyed, '/quit closed the connection')
})

test('lines past the line buffer and binary garbage get error lines; the client stays; client limit', async (t) => {
  t.timeoutAfter(20_000)
  const cluster = new Cluster(t)
  const { gw, address } = await gatewayNode(cluster, 'gw', ['--gateway-limits', JSON.stringify({ maxClients: 3 })])
  const a = await connect(cluster, address, 'a')
  const b = await connect(cluster, address, 'b')
  const errors = () => a.c.lines.filter(l => l.startsWith('*** error'))
  const nextError = async (n: number) => { await a.c.waitLine(() => errors().length >= n, 5000, `error ${n}`); return errors()[n - 1] }

  a.c.send(Buffer.from('y'.repeat(MAX_LINE_BUFFER_BYTES * 3)))
  a.c.send(Buffer.from('tail of the long line\n'))
  t.match(await nextError(1), /^\*\*\* error LINE_TOO_LONG: /, 'a line past the line buffer is refused')
  a.c.send(Buffer.from('nul\u0000bytes\n'))
  t.match(await nextError(2), /^\*\*\* error BINARY_INPUT: /, 'NUL bytes')
  a.c.send(Buffer.from([0xff, 0xfe, 0x80, 0x41, 0x0a]))
  t.match(await nextError(3), /^\*\*\* error BINARY_INPUT: /, 'invalid UTF-8')
  a.c.send('/frobnicate')
  t.match(await nextError(4), /^\*\*\* error UNKNOWN_COMMAND: /, 'unknown command')
  a.c.send('/help')
  const last = gatewayHelp()[gatewayHelp().length - 1]
  await a.c.waitLine(l => l === last, 5000, 'help')
  t.deepEqual(a.c.lines.slice(a.c.lines.indexOf(gatewayHelp()[0])).slice(0, gatewayHelp().length), gatewayHelp(), '/help answers the table')
  a.c.send('/peers')
  t.match(await nextError(5), /^\*\*\* error UNKNOWN_COMMAND: \/peers is not available/, 'a core command the gateway does not have')
  a.c.send('still here')
  t.equal(await b.c.waitLine(l => l.includes('still here')), `${a.guest} via ${tag(gw)}: still here`, 'the client is still connected and heard')
  await gw.waitMessage('still here')
  t.equal(gw.messages().length, 1, 'none of the bad lines reached the room')
  t.notOk(b.c.lines.some(l => /yyyy|tail of the long|nul/.test(l)), 'nothing of the bad lines reached the others')

  const c3 = await connect(cluster, address, 'c3')
  const c4 = await LineClient.connect(address, 'c4')
  cluster.cleanups.push(() => c4.destroy())
  t.match(await c4.waitLine(() => true, 5000, 'refusal'), /^\*\*\* error GATEWAY_FULL: /, 'the client over maxClients is refused')
  await c4.waitClosed(5000)
  t.notOk(c3.c.isClosed, 'the clients within the limit stay')
})

test('a client that never reads is dropped past the queue limit and stalls nobody', async (t) => {
  t.timeoutAfter(30_000)
  const cluster = new Cluster(t)
  const { gw, address } = await gatewayNode(cluster, 'gw', ['--gateway-rate', '100000', ...LIFTED_LIMITS])
  const mesh = await cluster.start({ name: 'mesh', args: ['--peer', gw.listen, ...LIFTED_LIMITS] })
  await mesh.waitPeerUp(gw.id)
  const a = await connect(cluster, address, 'a')
  const b = await connect(cluster, address, 'b')
  const slow = await connect(cluster, address, 'slow')
  slow.c.socket.pause()
  await b.c.waitLine(l => l === `*** ${slow.guest} joined`)

  // Flood in batches of 4 KB lines until the slow client is dropped; bounded at 16 MB.
  const pad = 'z'.repeat(4000)
  const BATCH = 50
  let sent = 0
  const dropped = () => b.c.lines.some(l => l.startsWith(`*** ${slow.guest} left (dropped`))
  while (!dropped() && sent < 4000) {
    for (let i = 0; i < BATCH; i++) a.c.send(`${String(sent++).padStart(5, '0')} ${pad}`)
    const last = String(sent - 1).padStart(5, '0')
    await b.c.waitLine(l => l.includes(` ${last} z`), 10_000, `line ${last}`)
  }
  t.ok(dropped(), `the slow client was dropped (after ${sent} lines, ${(sent * 4000 / 1e6).toFixed(1)} MB)`)
  const got = b.c.lines.filter(l => l.includes(' ' + pad)).map(l => Number(/ (\d{5}) z/.exec(l)![1]))
  t.equal(got.length, sent, 'the reading client got every line')
  t.ok(got.every((n, i) => n === i), 'in order')
  const last = String(sent - 1).padStart(5, '0')
  await mesh.waitFor(e => e.event === 'message' && e.text.startsWith(last), 10_000, 'last line at the mesh node')
  t.equal(mesh.messages().length, sent, 'the mesh node got every line')

  slow.c.socket.resume()
  await slow.c.waitClosed(10_000)
  const slowGot = slow.c.lines.filter(l => l.includes(' ' + pad)).length
  t.ok(slowGot < sent, `the slow client got only what was queued before the drop (${slowGot} of ${sent})`)
  t.ok(sent * 4000 > MAX_CLIENT_QUEUED_BYTES, 'more than the queue limit was sent before the drop')
})

test('the rate limit slows a client down without losing lines', async (t) => {
  t.timeoutAfter(20_000)
  const cluster = new Cluster(t)
  const { address } = await gatewayNode(cluster, 'gw', ['--gateway-rate', '1000:100', ...LIFTED_LIMITS])
  const a = await connect(cluster, address, 'a')
  const b = await connect(cluster, address, 'b')
  const N = 1500
  const lines: string[] = []
  for (let i = 0; i < N; i++) lines.push(`r${String(i).padStart(4, '0')}`)
  const start = Date.now()
  a.c.send(lines.join('\n'))
  await b.c.waitLine(l => l.endsWith(`: r${N - 1}`), 15_000, 'the last line')
  const elapsed = Date.now() - start
  const got = b.c.lines.filter(l => / r\d{4}$/.test(l)).map(l => l.slice(-5))
  t.deepEqual(got, lines, `all ${N} lines arrived, in order`)
  t.ok(elapsed >= 1000, `paced by the limit: ${elapsed} ms for ${N} lines at 1000/s with a burst of 100`)
  // The sender's own later answer comes after any error for its earlier lines.
  a.c.send('/help')
  const lastHelp = gatewayHelp()[gatewayHelp().length - 1]
  await a.c.waitLine(l => l === lastHelp, 5000, 'help after the lines')
  t.notOk(a.c.lines.some(l => l.startsWith('*** error')), 'the sender got no error')
  t.notOk(a.c.isClosed, 'and stays connected')
})
