// Guest batches (message kind 6) in one process: the payload codec and its
// packing under the payload cap, a node's sendGuestLines splitting lines over
// one batch into several that a linked node delivers line by line, and a
// hostile peer's malformed batch: coded GUEST_BATCH_INVALID, its link closed,
// nothing forwarded, the node still working.
import test from 'tape'
import { MessageKind, decodeFlood } from '../lib/protocol/envelope'
import { FrameType } from '../lib/protocol/frames'
import { MeshError } from '../lib/protocol/errors'
import { MAX_PAYLOAD_BYTES, MAX_TEXT_BYTES } from '../lib/protocol/limits'
import { MAX_GUEST_BATCH_LINES, decodeGuestBatch, encodeGuestBatch, guestLineBytes, packGuestLines, type GuestLine } from '../lib/protocol/guest-batch'
import { MemMesh } from './helpers/mesh'
import { rawPeer, chat, until, victimNode } from './helpers/raw-peer'

const codeOf = (fn: () => unknown) => { try { fn(); return 'none' } catch (err) { return err instanceof MeshError ? err.code : 'not a MeshError' } }

test('guest batch codec: lines round-trip in order; guestLineBytes is what the encoder writes', (t) => {
  const lines: GuestLine[] = [{ guest: 'guest-1', text: 'hi' }, { guest: 'bob', text: 'é'.repeat(200) }, { guest: 'guest-1', text: 'x'.repeat(70_000 / 20) }]
  const payload = encodeGuestBatch({ via: 'gw', lines })
  t.deepEqual(decodeGuestBatch(payload), { via: 'gw', lines }, 'round trip')
  const head = encodeGuestBatch({ via: 'gw', lines: [lines[0]] }).byteLength - guestLineBytes(lines[0])
  for (const l of lines) {
    t.equal(encodeGuestBatch({ via: 'gw', lines: [l] }).byteLength - head, guestLineBytes(l), `size of a ${Buffer.byteLength(l.text)} byte line`)
  }
  t.end()
})

test('packGuestLines splits lines over the payload cap or the line cap into several batches, in order', (t) => {
  const big = (i: number) => ({ guest: `guest-${i}`, text: `${i}`.padEnd(MAX_TEXT_BYTES, 'y') })
  const bigs = Array.from({ length: 5 }, (_, i) => big(i))
  const runs = packGuestLines(bigs)
  t.ok(runs.length >= 3, `5 lines of ${MAX_TEXT_BYTES} bytes make ${runs.length} batches`)
  t.deepEqual(runs.flat(), bigs, 'every line once, in order')
  for (const r of runs) t.ok(encodeGuestBatch({ via: 'g'.repeat(32), lines: r }).byteLength <= MAX_PAYLOAD_BYTES, 'each batch within the payload cap, even with the longest gateway nick')
  const smalls = Array.from({ length: MAX_GUEST_BATCH_LINES * 2 + 1 }, (_, i) => ({ guest: 'g', text: `line ${i}` }))
  const small = packGuestLines(smalls)
  t.deepEqual(small.map(r => r.length), [MAX_GUEST_BATCH_LINES, MAX_GUEST_BATCH_LINES, 1], 'short lines: at most MAX_GUEST_BATCH_LINES a batch')
  t.deepEqual(small.flat(), smalls, 'in order')
  t.equal(codeOf(() => encodeGuestBatch({ via: 'gw', lines: bigs })), 'GUEST_BATCH_INVALID', 'the encoder refuses a batch over the payload cap')
  t.end()
})

test('decodeGuestBatch refuses malformed payloads with GUEST_BATCH_INVALID', (t) => {
  const good = encodeGuestBatch({ via: 'gw', lines: [{ guest: 'a', text: 'hello' }] })
  const cases: Array<[string, Buffer]> = [
    ['empty', Buffer.alloc(0)],
    ['truncated', good.subarray(0, good.byteLength - 2)],
    ['trailing bytes', Buffer.concat([good, Buffer.from([0])])],
    ['no lines', Buffer.from([2, 0x67, 0x77, 0])],
    ['too many lines', Buffer.from([2, 0x67, 0x77, MAX_GUEST_BATCH_LINES + 1, ...Array(MAX_GUEST_BATCH_LINES + 1).fill([1, 0x61, 1, 0x62]).flat()])],
    ['a blank line', Buffer.from([2, 0x67, 0x77, 1, 1, 0x61, 1, 0x20])],
    ['a nameless line', Buffer.from([2, 0x67, 0x77, 1, 0, 1, 0x62])]
  ]
  for (const [what, b] of cases) t.equal(codeOf(() => decodeGuestBatch(b)), 'GUEST_BATCH_INVALID', what)
  t.end()
})

test('sendGuestLines: lines over one batch go as several; a linked node delivers each line once, in order, under its guest', async (t) => {
  t.timeoutAfter(10_000)
  // 40 lines at once are over the default author burst (20; the gateway paces its guests under it): raised here.
  const mesh = new MemMesh(2, { authorBurst: 100 })
  t.teardown(() => mesh.close())
  mesh.connect(0, 1)
  await until(() => mesh.nodes[0].peers().length === 1 && mesh.nodes[1].peers().length === 1)
  const lines: GuestLine[] = []
  for (let i = 0; i < 40; i++) lines.push({ guest: `guest-${i % 3}`, text: `${i} ${'z'.repeat(i % 4 === 0 ? 3000 : 10)}` })
  const sent = mesh.nodes[0].sendGuestLines(lines)
  t.deepEqual(sent.map(m => [m.nick, m.text]), lines.map(l => [l.guest, l.text]), 'the sender sees its lines in order')
  const batches = new Set(sent.map(m => m.id.split('.')[0]))
  t.ok(batches.size >= 2 && batches.size < lines.length, `${lines.length} lines went as ${batches.size} signed batches`)
  t.equal(new Set(sent.map(m => m.id)).size, lines.length, 'each line has an id of its own')
  const got = mesh.received[1]
  t.ok(await until(() => got.length >= lines.length), 'the linked node got them')
  t.deepEqual(got.map(m => [m.nick, m.text, m.via]), lines.map(l => [l.guest, l.text, 'n0']), 'once each, in order, under the guest names, via the gateway')
  t.equal(mesh.nodes[1].historySize('lobby'), batches.size, 'its history keeps the batches')
})

test('a malformed signed batch: GUEST_BATCH_INVALID, the link is closed, nothing forwarded, the node carries on', async (t) => {
  t.timeoutAfter(10_000)
  const { node, messages, faults } = victimNode(t)
  const attacker = rawPeer(node)
  const bystander = rawPeer(node)
  attacker.hello()
  bystander.hello()
  await until(() => node.peers().length === 2)
  const bad = chat(attacker.kp, '', { kind: MessageKind.GUEST_BATCH, payload: Buffer.from([2, 0x67, 0x77, 1, 1, 0x61, 200, 0x62]) })
  attacker.link.send(bad.frame)
  t.ok(await until(() => attacker.link.closed), 'the link that sent it is closed')
  t.ok(faults.some(f => f.code === 'GUEST_BATCH_INVALID'), `coded GUEST_BATCH_INVALID: ${faults.map(f => f.code).join(', ')}`)
  const good = chat(bystander.kp, '', { kind: MessageKind.GUEST_BATCH, payload: encodeGuestBatch({ via: 'gw', lines: [{ guest: 'amy', text: 'one' }, { guest: 'ben', text: 'two' }] }) })
  bystander.link.send(good.frame)
  bystander.link.send(chat(bystander.kp, 'marker').frame)
  t.ok(await until(() => messages.some(m => m.text === 'marker')), 'the node still takes messages on another link')
  t.deepEqual(messages.map(m => [m.nick, m.text]), [['amy', 'one'], ['ben', 'two'], ['x', 'marker']], 'a good batch is delivered line by line; nothing of the bad one')
  const forwarded = attacker.frames.concat(bystander.frames).filter(f => f[0] === FrameType.FLOOD).map(f => decodeFlood(f).id.toString('hex'))
  t.notOk(forwarded.includes(bad.id.toString('hex')), 'the malformed batch was not forwarded')
})
